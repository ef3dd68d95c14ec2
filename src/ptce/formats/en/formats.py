"""English dates and times: the day before the month, as the site's English writes them
("12 March 1980", "6 Dec 2026"), and Django's "9:30 a.m." for times."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "P"
DATETIME_FORMAT = "j F Y, P"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, P"
