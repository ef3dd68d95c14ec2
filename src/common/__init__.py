"""The shared kernel: mechanisms every app uses (text folding, forms, API errors, rate limits,
spreadsheets, PDF text, email rendering, view decorators). It imports no app of the project:
``make lint`` checks it (the layers contract in ``pyproject.toml``)."""
