"""Periodic job of the questionnaire, enqueued by the scheduler of ``ptce serve``; idempotent
(each link and each reminder is written once, under the questionnaire's row lock)."""

from django_tasks import task

from feedback import questionnaires


@task()
def send_questionnaires():
    """Sends each open questionnaire once its day is over, to the people admitted who have no
    link yet, and its one reminder when due (:func:`feedback.questionnaires.send_due`).
    Returns ``{edition slug: [links written, reminders written]}``."""
    return {slug: list(counts) for slug, counts in questionnaires.send_due().items()}
