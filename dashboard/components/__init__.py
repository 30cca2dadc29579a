"""Streamlit UI pieces shared by all pages (header, sidebar, bound inputs, outputs)."""
