"""Health of the running service, for monitoring and load balancers: ``GET /healthz``.

Healthy (200) when the database answers a query and a task worker ran the ``heartbeat`` task
(enqueued every minute by the scheduler of ``ptce serve``) within
``settings.PTCE_WORKER_STALE_AFTER`` seconds; otherwise 503, with what failed in the JSON body.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ptce.tasks import heartbeat

logger = logging.getLogger(__name__)


@require_safe
def healthz(request):
    database = _database_status()
    worker = _worker_status() if database == "ok" else _unknown_worker()
    healthy = database == "ok" and worker["status"] == "ok"
    response = JsonResponse(
        {"status": "ok" if healthy else "fail", "database": database, "worker": worker},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # A health check reports, it never fails with a 500 of its own.
        logger.exception("Health check: the database does not answer")
        return "fail"
    return "ok"


def _worker_status():
    stale_after = settings.PTCE_WORKER_STALE_AFTER
    try:
        last_seen = (
            DBTaskResult.objects.filter(
                task_path=heartbeat.module_path, status=TaskResultStatus.SUCCESSFUL
            )
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        backlog = DBTaskResult.objects.ready().count()
    except Exception:
        logger.exception("Health check: cannot read the task results")
        return _unknown_worker()
    fresh = last_seen is not None and timezone.now() - last_seen <= timedelta(seconds=stale_after)
    return {
        "status": "ok" if fresh else "fail",
        "last_seen": last_seen.isoformat() if last_seen else None,
        "stale_after_seconds": stale_after,
        "backlog": backlog,
    }


def _unknown_worker():
    return {
        "status": "fail",
        "last_seen": None,
        "stale_after_seconds": settings.PTCE_WORKER_STALE_AFTER,
        "backlog": None,
    }
