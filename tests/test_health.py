import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ptce.tasks import heartbeat


def run_worker():
    """Runs the real task worker (``ptce db_worker --batch``) until the queue is empty.

    It runs in this thread, so the test sees its work; the worker installs its own signal
    handlers, and pytest's are put back afterwards.
    """
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {signum: signal.getsignal(signum) for signum in signals}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@pytest.fixture
def stale_after(settings):
    return settings.PTCE_WORKER_STALE_AFTER


def test_healthz_is_ok_once_the_worker_ran_a_heartbeat(client, transactional_db, stale_after):
    heartbeat.enqueue()
    run_worker()
    finished_at = DBTaskResult.objects.get(task_path="ptce.tasks.heartbeat").finished_at

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "worker": {
            "status": "ok",
            "last_seen": finished_at.isoformat(),
            "stale_after_seconds": stale_after,
            "backlog": 0,
        },
    }


def test_healthz_fails_when_no_heartbeat_ever_ran(client, db, stale_after):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "fail",
        "database": "ok",
        "worker": {
            "status": "fail",
            "last_seen": None,
            "stale_after_seconds": stale_after,
            "backlog": 0,
        },
    }


def test_healthz_fails_when_the_heartbeat_waits_for_a_worker(client, db):
    heartbeat.enqueue()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"]["last_seen"] is None
    assert response.json()["worker"]["backlog"] == 1


def test_healthz_fails_when_the_last_heartbeat_is_older_than_the_limit(
    client, transactional_db, stale_after
):
    heartbeat.enqueue()
    run_worker()
    long_ago = timezone.now() - timedelta(seconds=stale_after + 1)
    DBTaskResult.objects.update(finished_at=long_ago)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["worker"]["status"] == "fail"
    assert response.json()["worker"]["last_seen"] == long_ago.isoformat()


def test_healthz_ignores_a_failed_heartbeat(client, transactional_db):
    heartbeat.enqueue()
    run_worker()
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"]["last_seen"] is None


def test_healthz_answers_503_instead_of_raising_when_the_database_cannot_be_queried(client):
    # No database fixture: pytest-django makes every query raise, as a database outage would.
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    assert response.json()["status"] == "fail"
    assert response.json()["database"] == "fail"
    assert response.json()["worker"]["status"] == "fail"


def test_healthz_is_not_redirected_to_https(client, db, settings):
    # A probe on the machine itself speaks plain http to gunicorn, with no proxy in between.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/robots.txt").status_code == 301
    assert client.get("/healthz").status_code == 503
