"""Characters no database stores, found before they reach one.

PostgreSQL refuses NUL in text, and a lone surrogate (half of a UTF-16 pair, which JSON's
``\\ud800`` escape can carry) is not UTF-8, so neither database can encode it: either one
sent as data makes the query fail. Both are refused where requests come in, in one place
each: :mod:`common.middleware` for addresses, query strings, form fields, cookies and headers,
the API's parser (:mod:`ptce.api`) for its query parameters and JSON bodies.
"""

import re

#: NUL and the surrogate code points (only ever alone in a Python string).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def contains(text):
    """Whether ``text`` holds a character no database stores."""
    return isinstance(text, str) and UNSTORABLE.search(text) is not None


def find(data, location=()):
    """The first character no database stores in ``data`` (nested dicts and lists of
    strings, keys included), as ``(location, code point)``: ``(("people", 2, "first_name"),
    "U+0000")``; None when there is none."""
    if isinstance(data, str):
        return (location, describe(data)) if contains(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            if contains(key):
                return (*location, key), describe(key)
            if (found := find(value, (*location, key))) is not None:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            if (found := find(value, (*location, index))) is not None:
                return found
    return None


def describe(text):
    """The first unstorable character of ``text`` by its code point, e.g. ``U+0000``."""
    match = UNSTORABLE.search(text)
    return f"U+{ord(match.group()):04X}" if match else ""
