"""Housekeeping tasks of the service itself, enqueued by the scheduler of ``ptce serve``.

Every periodic task may be enqueued twice (several ``ptce serve`` each run a scheduler), so
each one is idempotent: running it again changes nothing that the first run did not.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult


@task()
def heartbeat():
    """Proves that a worker takes tasks from the queue; does nothing else.

    ``/healthz`` reads when this task last succeeded (its result row's ``finished_at``).
    """


@task()
def prune_task_results():
    """Deletes the finished task results older than ``PTCE_TASK_RESULTS_MAX_AGE_DAYS``.

    Side effect: those result rows are gone, whatever their task (heartbeats included); ready
    and running tasks are never touched. Returns the number of rows deleted.
    """
    # The same query as django_tasks_db's prune_db_task_results command, on every queue.
    cutoff = timezone.now() - timedelta(days=settings.PTCE_TASK_RESULTS_MAX_AGE_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
