"""The views of the registrations app, one module per audience."""
