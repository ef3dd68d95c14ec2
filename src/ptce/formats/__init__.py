"""The site's formats of dates and times for a reader, by language (``FORMAT_MODULE_PATH``).

Only what differs from Django's own formats. Machine formats (``datetime=`` attributes, CSV,
XLSX, the JSON API, form inputs) use explicit formats or ISO 8601, never these.
"""
