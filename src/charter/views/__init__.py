"""The views of the charter app, one module per audience."""
