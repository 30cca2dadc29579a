"""Pure cross-page helpers: JSON parsing, i18n catalogue, Plotly figures, table export."""
