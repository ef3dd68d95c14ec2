"""``ptce backup PATH``: a consistent copy of the database, safe to take while the site runs.

SQLite is copied with SQLite's online backup API (a single self-contained file); PostgreSQL
with ``pg_dump --format=custom`` (restore with ``pg_restore``). The copy is written to a
temporary file beside PATH and renamed into place once complete, so PATH never holds half a
backup. The file is readable by its owner only: it holds personal data, and the ticket keys
(which only the same ``SECRET_KEY`` can decrypt).
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections


class Command(BaseCommand):
    help = "Write a consistent copy of the database to PATH (SQLite file or pg_dump archive)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="file to write; its folder must exist")
        parser.add_argument(
            "--force", action="store_true", help="replace PATH if it already exists"
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)"
        )

    def handle(self, *, path, force, database, **options):
        connection = connections[database]
        target = path.expanduser().absolute()
        if target.is_dir():
            raise CommandError(f"{target} is a folder: give the path of the backup file")
        if not target.parent.is_dir():
            raise CommandError(f"folder {target.parent} does not exist")
        if target.exists() and not force:
            raise CommandError(f"{target} already exists: choose another path or use --force")

        if connection.vendor == "sqlite":
            write = _backup_sqlite
        elif connection.vendor == "postgresql":
            write = _backup_postgresql
        else:
            raise CommandError(f"cannot back up a {connection.vendor} database")

        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
        os.close(descriptor)
        temporary = Path(temporary)
        try:
            write(connection, temporary)
            _move_into_place(temporary, target, force=force)
        finally:
            temporary.unlink(missing_ok=True)

        size = target.stat().st_size
        self.stdout.write(f"Backup of the {connection.vendor} database written to {target}")
        self.stdout.write(f"({size} bytes)")


def _backup_sqlite(connection, temporary):
    """Copies the live database page by page; writers may go on meanwhile (WAL)."""
    connection.ensure_connection()
    copy = sqlite3.connect(temporary)
    try:
        connection.connection.backup(copy)
        # One self-contained file: no -wal or -shm beside the copy.
        copy.execute("PRAGMA journal_mode=DELETE")
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as error:
        raise CommandError(f"SQLite backup failed: {error}") from error
    finally:
        copy.close()
    if verdict != "ok":
        raise CommandError(f"the copy failed SQLite's quick_check: {verdict}")


def _backup_postgresql(connection, temporary):
    """Runs pg_dump against the same server and database as the site."""
    executable = shutil.which("pg_dump")
    if executable is None:
        raise CommandError("pg_dump not found: install the PostgreSQL client (postgresql-client)")
    params = connection.settings_dict
    command = [executable, "--format=custom", "--no-password", f"--file={temporary}"]
    if params.get("HOST"):
        command.append(f"--host={params['HOST']}")
    if params.get("PORT"):
        command.append(f"--port={params['PORT']}")
    if params.get("USER"):
        command.append(f"--username={params['USER']}")
    command.append(f"--dbname={params['NAME']}")
    env = {**os.environ}
    # The password travels in the environment, never on the command line (visible in ps).
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if value := params.get("OPTIONS", {}).get(option):
            env[variable] = str(value)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(
            f"pg_dump failed (exit code {result.returncode}): {result.stderr.strip()}"
        )


def _move_into_place(temporary, target, *, force):
    if force:
        os.replace(temporary, target)
        return
    # A hard link never replaces an existing file: a backup written meanwhile by another
    # process at the same path is kept, and this one reported.
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise CommandError(f"{target} already exists: choose another path or use --force") from None
