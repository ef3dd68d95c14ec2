"""The views of the admission app, one module per audience."""
