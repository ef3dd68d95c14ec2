"""The project's own pages, one module per audience."""
