"""Housekeeping tasks of the service itself, enqueued by the scheduler of ``ptce serve``.

Every periodic task may be enqueued twice (several ``ptce serve`` each run a scheduler), so
each one is idempotent: running it again changes nothing that the first run did not.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

#: The text a task left running by a dead worker is closed with.
WORKER_LOST = "ptce.tasks.WorkerLost"


@task()
def heartbeat():
    """Proves that a worker takes tasks from the queue; does nothing else.

    ``/healthz`` reads when this task last succeeded (its result row's ``finished_at``).
    """


@task()
def prune_task_results():
    """Closes the tasks a dead worker left running, and deletes the finished task results
    older than ``PTCE_TASK_RESULTS_MAX_AGE_DAYS``.

    A worker killed in the middle of a task leaves its row "running" for ever (the queue has
    no lease). No task of ours runs for ``PTCE_TASK_LOST_AFTER_HOURS``: a row running that
    long is marked failed, with ``WORKER_LOST`` as its exception, and then pruned like any
    finished result. Nothing is lost by it: emails are re-sent by the outbox's sweep, and
    periodic jobs run again at their next turn. Ready tasks are never touched.
    Returns the number of rows deleted.
    """
    now = timezone.now()
    lost_since = now - timedelta(hours=settings.PTCE_TASK_LOST_AFTER_HOURS)
    DBTaskResult.objects.running().filter(started_at__lte=lost_since).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=WORKER_LOST,
        traceback="The worker running this task stopped before it finished.",
    )
    # The same query as django_tasks_db's prune_db_task_results command, on every queue.
    cutoff = now - timedelta(days=settings.PTCE_TASK_RESULTS_MAX_AGE_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
