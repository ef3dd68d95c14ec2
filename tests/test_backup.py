import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from network.models import Organisation
from tests.factories import OrganisationFactory

PTCE = str(Path(sys.executable).with_name("ptce"))


def ptce(*args, var_dir, check=True):
    """Runs the ``ptce`` console script on the SQLite database of ``var_dir``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DEBUG"}
    }
    env["PTCE_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [PTCE, *args], env=env, capture_output=True, text=True, timeout=120, check=check
    )


def query(database, sql):
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    """A migrated SQLite file database (WAL, as in production) holding two queued tasks."""
    var_dir = tmp_path_factory.mktemp("var")
    ptce("migrate", "--noinput", "--verbosity=0", var_dir=var_dir)
    ptce(
        "shell",
        "--command=from ptce.tasks import heartbeat; heartbeat.enqueue(); heartbeat.enqueue()",
        var_dir=var_dir,
    )
    return var_dir


def test_sqlite_backup_is_a_self_contained_copy_with_the_rows(sqlite_site, tmp_path):
    target = tmp_path / "copy.sqlite3"

    result = ptce("backup", str(target), var_dir=sqlite_site)

    assert f"written to {target}" in result.stdout
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert list(tmp_path.iterdir()) == [target]
    assert query(target, "SELECT task_path, status FROM django_tasks_database_dbtaskresult") == [
        ("ptce.tasks.heartbeat", "READY"),
        ("ptce.tasks.heartbeat", "READY"),
    ]
    assert query(target, "PRAGMA journal_mode") == [("delete",)]


def test_backup_refuses_to_replace_a_file_without_force(sqlite_site, tmp_path):
    target = tmp_path / "copy.sqlite3"
    target.write_text("an older backup")

    result = ptce("backup", str(target), var_dir=sqlite_site, check=False)

    assert result.returncode == 1
    assert f"{target} already exists: choose another path or use --force" in result.stderr
    assert target.read_text() == "an older backup"
    assert list(tmp_path.iterdir()) == [target]


def test_backup_replaces_a_file_with_force(sqlite_site, tmp_path):
    target = tmp_path / "copy.sqlite3"
    target.write_text("an older backup")

    ptce("backup", str(target), "--force", var_dir=sqlite_site)

    assert query(target, "SELECT count(*) FROM django_tasks_database_dbtaskresult") == [(2,)]


def test_backup_refuses_a_missing_folder(tmp_path):
    target = tmp_path / "missing" / "copy.sqlite3"

    with pytest.raises(CommandError, match=f"^folder {tmp_path / 'missing'} does not exist$"):
        call_command("backup", str(target))


def test_backup_refuses_a_folder_as_target(tmp_path):
    with pytest.raises(CommandError, match=r"is a folder: give the path of the backup file$"):
        call_command("backup", str(tmp_path))


@pytest.fixture
def scratch_database():
    """The name of a PostgreSQL database that does not exist yet, dropped after the test."""
    name = f"ptce_restore_{uuid.uuid4().hex[:12]}"
    yield name
    subprocess.run(["dropdb", *_pg_connection_args(), "--if-exists", name], check=True, timeout=60)


def _pg_connection_args():
    params = connection.settings_dict
    return [
        f"--host={params['HOST'] or 'localhost'}",
        f"--port={params['PORT'] or 5432}",
        f"--username={params['USER'] or 'postgres'}",
    ]


@pytest.mark.postgres_only
def test_postgresql_backup_restores_into_a_fresh_database(
    transactional_db, tmp_path, scratch_database
):
    OrganisationFactory(name="Pôle Exemple des Deux-Rives")
    OrganisationFactory(name="Réseau Exemple")
    target = tmp_path / "ptce.dump"

    call_command("backup", str(target))

    assert target.read_bytes()[:5] == b"PGDMP"
    subprocess.run(["createdb", *_pg_connection_args(), scratch_database], check=True, timeout=60)
    subprocess.run(
        [
            "pg_restore",
            *_pg_connection_args(),
            "--no-owner",
            "--exit-on-error",
            f"--dbname={scratch_database}",
            str(target),
        ],
        check=True,
        timeout=120,
    )
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"],
        user=params["USER"],
        password=params["PASSWORD"],
        dbname=scratch_database,
    ) as restored:
        query = sql.SQL("SELECT name FROM {} ORDER BY name").format(
            sql.Identifier(Organisation._meta.db_table)
        )
        names = restored.execute(query).fetchall()
    assert names == [("Pôle Exemple des Deux-Rives",), ("Réseau Exemple",)]
