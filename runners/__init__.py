"""Command-line entry points (the ``modeling`` console script)."""
