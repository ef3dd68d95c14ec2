"""French dates and times as French writes them: "12 mars 1980", "9 h 30".

Django's French formats give "09:30" and "06/12/2026". French typography writes the hour with
"h" between no-break spaces, so that a time never breaks across two lines: "9 h 30". A full
hour keeps its minutes, "10 h 00", everywhere: a format cannot drop them for some hours only,
and the times of a programme line up. Short dates keep their month in letters ("6 déc. 2026"):
"06/12/2026" is read as June in English and misread in a narrow cell.
"""

_TIME = "G\u00a0\\h\u00a0i"

TIME_FORMAT = _TIME
DATETIME_FORMAT = f"j F Y \\à {_TIME}"
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = f"j N Y \\à {_TIME}"
