"""The scheduler of periodic jobs that ``ptce serve`` runs beside the web server and worker.

The task queue (django-tasks-db) has no periodic jobs of its own: this scheduler enqueues each
job of ``settings.PTCE_PERIODIC_TASKS`` (``(dotted task path, interval in seconds)``) when it
is due, and the worker runs it like any other task.

It keeps its timetable in memory: a job is due when the scheduler starts, then once per
interval. Several ``ptce serve`` (several machines, or a restart) may therefore enqueue the
same job close together, so every periodic job must be idempotent. A job that still waits in
the queue (no worker took it yet) is not enqueued again, so a stopped worker does not leave a
pile of copies behind.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# After a failed enqueue (database unreachable, say), try again this soon rather than after
# a whole interval, which may be a day.
RETRY_AFTER = 60


@dataclass(frozen=True)
class PeriodicJob:
    task: Task
    interval: float

    @property
    def path(self):
        return self.task.module_path


def load_jobs(declared):
    """Turns ``(dotted path, seconds)`` pairs into jobs; ``ValueError`` names a bad one."""
    jobs = []
    for path, interval in declared:
        try:
            task = import_string(path)
        except ImportError as error:
            raise ValueError(f"periodic task {path!r} cannot be imported: {error}") from None
        if not isinstance(task, Task):
            raise ValueError(f"periodic task {path!r} is not a task (decorate it with @task)")
        if not interval > 0:
            raise ValueError(f"periodic task {path!r} needs an interval above 0 seconds")
        jobs.append(PeriodicJob(task=task, interval=float(interval)))
    return jobs


class Scheduler:
    """Enqueues each job when due; call :meth:`tick` often (``ptce serve`` does, every second).

    ``clock`` returns seconds and only ever goes forward (``time.monotonic`` by default; the
    tests pass their own).
    """

    def __init__(self, jobs, *, clock=time.monotonic):
        self.jobs = list(jobs)
        self.clock = clock
        self.next_due = {}

    @classmethod
    def from_settings(cls, **kwargs):
        return cls(load_jobs(settings.PTCE_PERIODIC_TASKS), **kwargs)

    def tick(self):
        """Enqueues every job that is due; returns the paths of those enqueued.

        A job whose previous copy still waits in the queue is skipped for this interval. An
        error (database down) is logged, never raised: the scheduler must outlive an outage.
        Call it outside any transaction: it recycles the database connection when stale.
        """
        now = self.clock()
        due = [job for job in self.jobs if now >= self.next_due.get(job.path, now)]
        if not due:
            return []
        try:
            # A long-lived process must drop the connections the server closed meanwhile.
            close_old_connections()
        except Exception:
            logger.exception("Could not recycle the database connection")
        enqueued = []
        for job in due:
            try:
                if self._waiting(job):
                    logger.info("Periodic job %s still waits for a worker: not enqueued", job.path)
                else:
                    job.task.enqueue()
                    enqueued.append(job.path)
                    logger.debug("Enqueued periodic job %s", job.path)
            except Exception:
                logger.exception("Could not enqueue periodic job %s", job.path)
                self.next_due[job.path] = now + min(job.interval, RETRY_AFTER)
            else:
                self.next_due[job.path] = now + job.interval
        return enqueued

    @staticmethod
    def _waiting(job):
        return DBTaskResult.objects.ready().filter(task_path=job.path).exists()
