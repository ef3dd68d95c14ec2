"""Time of the public pages and the API, rendered in-process, with their query counts.

Loads the demo data into a throw-away database (SQLite in a temporary folder by default, or
the database of DATABASE_URL, which it migrates and fills: give it one of its own), then
requests each page REPEAT times through Django's test client and prints the median and 95th
percentile in milliseconds. Nothing passes or fails: the figures depend on the machine.

    .venv/bin/python bench/public_pages.py
    createdb -h 127.0.0.1 -U postgres ptce_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ptce_bench \
        .venv/bin/python bench/public_pages.py
"""

import os
import sys
import tempfile

from _timing import measure

REPEAT = int(os.environ.get("REPEAT", "200"))
PATHS = [
    "/",
    "/journees/2014/",
    "/journees/2014/programme/",
    "/journees/2014/intervenants/carole-delga/",
    "/journees/2014/journee.ics",
    "/api/v1/editions",
    "/api/v1/editions/2014",
]


def main():
    os.environ.setdefault("PTCE_VAR_DIR", tempfile.mkdtemp(prefix="ptce-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    os.environ.setdefault("DEBUG", "true")  # plain static storage: no collectstatic needed
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client(HTTP_HOST="127.0.0.1")
    print(
        f"database: {connection.vendor}; {REPEAT} requests a page; Python {sys.version.split()[0]}"
    )
    print(f"{'path':48} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for path in PATHS:
        status, queries, median, p95 = measure(client, path, repeat=REPEAT)
        print(f"{path:48} {status:>6} {queries:>7} {median:>10.2f} {p95:>8.2f}")


if __name__ == "__main__":
    main()
