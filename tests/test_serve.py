import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ptce.scheduler import Scheduler, load_jobs
from ptce.tasks import heartbeat, prune_task_results
from tests.test_health import run_worker

PTCE = str(Path(sys.executable).with_name("ptce"))
HEARTBEAT = "ptce.tasks.heartbeat"
PRUNE = "ptce.tasks.prune_task_results"


class Clock:
    """A clock that moves only when the test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def enqueued_paths():
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


# The scheduler -------------------------------------------------------------------------------


def test_scheduler_enqueues_each_job_at_start_then_once_per_interval(transactional_db):
    clock = Clock()
    scheduler = Scheduler(load_jobs([(HEARTBEAT, 60), (PRUNE, 86400)]), clock=clock)

    assert scheduler.tick() == [HEARTBEAT, PRUNE]
    run_worker()
    clock.now += 59
    assert scheduler.tick() == []
    clock.now += 1
    assert scheduler.tick() == [HEARTBEAT]
    run_worker()
    clock.now += 30
    assert scheduler.tick() == []
    clock.now += 30
    assert scheduler.tick() == [HEARTBEAT]
    run_worker()

    assert enqueued_paths() == [HEARTBEAT, HEARTBEAT, HEARTBEAT, PRUNE]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


def test_scheduler_does_not_pile_up_copies_while_no_worker_runs(transactional_db):
    clock = Clock()
    scheduler = Scheduler(load_jobs([(HEARTBEAT, 60)]), clock=clock)

    assert scheduler.tick() == [HEARTBEAT]
    clock.now += 60
    assert scheduler.tick() == []
    clock.now += 600
    assert scheduler.tick() == []

    assert enqueued_paths() == [HEARTBEAT]


def test_the_declared_periodic_jobs_load():
    assert [(job.path, job.interval) for job in Scheduler.from_settings().jobs] == [
        (HEARTBEAT, 60),
        (PRUNE, 86400),
        ("outbox.tasks.sweep", 60),
        ("registrations.tasks.send_reminders", 3600),
        ("registrations.tasks.fill_free_seats", 300),
        ("registrations.tasks.end_workshop_offers", 900),
        ("registrations.tasks.send_reconfirmations", 3600),
        ("admission.tasks.purge_security_lists", 3600),
        ("admission.tasks.end_rehearsals", 900),
        ("registrations.tasks.apply_retention", 3600),
        ("feedback.tasks.send_questionnaires", 900),
    ]


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ([("ptce.tasks.nothing", 60)], "periodic task 'ptce.tasks.nothing' cannot be imported"),
        ([("ptce.scheduler.load_jobs", 60)], "is not a task (decorate it with @task)"),
        ([(HEARTBEAT, 0)], "periodic task 'ptce.tasks.heartbeat' needs an interval above 0"),
    ],
)
def test_load_jobs_names_a_bad_declaration(declared, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        load_jobs(declared)


def test_prune_task_results_deletes_only_finished_results_past_the_limit(
    transactional_db, settings
):
    settings.PTCE_TASK_RESULTS_MAX_AGE_DAYS = 7
    for _ in range(3):
        heartbeat.enqueue()
    run_worker()
    old, recent, fresh = DBTaskResult.objects.order_by("enqueued_at")
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=7, seconds=1))
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=6))
    waiting = heartbeat.enqueue()

    assert prune_task_results.call() == 1

    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert remaining == {str(recent.pk), str(fresh.pk), waiting.id}


# `ptce serve` as a real process ---------------------------------------------------------------


def _env(var_dir, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DEBUG", "PORT"}
    }
    return {**env, "PTCE_VAR_DIR": str(var_dir), **extra}


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    """A production-like var/ folder: SQLite file database migrated, static files collected."""
    var_dir = tmp_path_factory.mktemp("var")
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [PTCE, *command, "--verbosity=0"],
            env=_env(var_dir),
            check=True,
            capture_output=True,
            timeout=120,
        )
    return var_dir


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _descendants(pid):
    """The pids of every process below ``pid``, read from /proc (Linux)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name, in parentheses, may itself hold spaces or parentheses.
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, its_parent in parents.items() if its_parent == parent]
        found += children
        frontier += children
    return found


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _command_line(pid):
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def serve(site_dir, tmp_path):
    """Starts ``ptce serve`` on a free port; yields (process, base URL, log paths)."""
    port = _free_port()
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [PTCE, "serve", "--workers=1"],
            env=_env(site_dir, PORT=str(port)),
            stdout=out,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    family = []
    try:
        _wait_until_healthy(process, base, stderr)
        family = _descendants(process.pid)
        yield process, base, family, stdout, stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pid in _descendants(process.pid) + family:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _wait_until_healthy(process, base, stderr, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"ptce serve exited early:\n{stderr.read_text()}"
        try:
            status, _, body = _get(f"{base}/healthz")
        except OSError:
            status = None
        if status == 200:
            return json.loads(body)
        time.sleep(0.2)
    raise AssertionError(f"/healthz never answered 200:\n{stderr.read_text()}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_runs_web_worker_and_scheduler_then_stops_cleanly_on_a_signal(serve, signum):
    process, base, family, stdout, stderr = serve
    # Healthy means the scheduler enqueued a heartbeat and the worker ran it.
    assert _get(f"{base}/healthz")[0] == 200
    commands = [_command_line(pid) for pid in family]
    assert sum("gunicorn ptce.wsgi:application" in command for command in commands) == 2
    assert sum("ptce.cli db_worker" in command for command in commands) == 1

    process.send_signal(signum)
    code = process.wait(timeout=60)

    assert code == 0, stderr.read_text()
    assert [pid for pid in family if _alive(pid)] == []
    assert f"Journées PTCE is running at {base}/ (Ctrl-C to stop)" in stdout.read_text()
    assert "Journées PTCE stopped." in stdout.read_text()


def test_serve_serves_the_collected_static_files_and_its_own_414_page(serve, site_dir):
    _, base, _, _, _ = serve
    manifest = json.loads((site_dir / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["ptce/css/site.css"]

    status, headers, body = _get(f"{base}/static/{hashed}")

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]
    assert body == (site_dir / "static" / hashed).read_bytes()
    # Beyond gunicorn's default request line (4094) but within the one ptce serve sets: the
    # project's page, in French, rather than gunicorn's bare "URI Too Long".
    status, headers, body = _get(f"{base}/{'x' * 5000}")
    assert status == 414
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in body.decode()


def test_serve_stops_everything_and_fails_when_a_child_dies(serve):
    process, _, family, _, stderr = serve
    (worker,) = [pid for pid in family if "ptce.cli db_worker" in _command_line(pid)]

    os.kill(worker, signal.SIGKILL)
    code = process.wait(timeout=60)

    assert code == 1
    assert "the task worker stopped on its own (exit code -9): service stopped" in (
        stderr.read_text()
    )
    assert [pid for pid in family if _alive(pid)] == []


def test_serve_refuses_to_start_on_a_database_not_migrated(tmp_path):
    result = subprocess.run(
        [PTCE, "serve"],
        env=_env(tmp_path, PORT=str(_free_port())),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "migration(s) not applied: run `ptce migrate` first" in result.stderr
