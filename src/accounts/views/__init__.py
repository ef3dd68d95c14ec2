"""The views of the accounts app, one module per audience."""
