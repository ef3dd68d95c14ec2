"""Housekeeping of the task queue: tasks a dead worker left running are closed, then pruned."""

from datetime import timedelta

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ptce.tasks import WORKER_LOST, heartbeat, prune_task_results


def test_a_task_left_running_by_a_dead_worker_is_closed_then_pruned(db, settings):
    settings.PTCE_TASK_LOST_AFTER_HOURS = 6
    settings.PTCE_TASK_RESULTS_MAX_AGE_DAYS = 7
    now = timezone.now()
    lost, busy, waiting = (heartbeat.enqueue() for _ in range(3))
    # Claimed by workers that are gone (or, for ``busy``, still at work).
    DBTaskResult.objects.filter(pk=lost.id).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(hours=6, seconds=1)
    )
    DBTaskResult.objects.filter(pk=busy.id).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(hours=5)
    )

    assert prune_task_results.call() == 0

    closed = DBTaskResult.objects.get(pk=lost.id)
    assert closed.status == TaskResultStatus.FAILED
    assert closed.exception_class_path == WORKER_LOST
    assert closed.finished_at is not None
    assert DBTaskResult.objects.get(pk=busy.id).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=waiting.id).status == TaskResultStatus.READY

    # Once closed, it is pruned like any finished result when it is old enough.
    DBTaskResult.objects.filter(pk=lost.id).update(finished_at=now - timedelta(days=8))
    assert prune_task_results.call() == 1
    assert not DBTaskResult.objects.filter(pk=lost.id).exists()
