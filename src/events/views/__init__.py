"""The views of the events app, one module per audience."""
