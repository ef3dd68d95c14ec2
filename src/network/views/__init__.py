"""The views of the network app, one module per audience."""
