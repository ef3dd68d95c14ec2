"""Periodic jobs of admission, enqueued by the scheduler of ``ptce serve``; idempotent."""

from django_tasks import task

from admission import security_list


@task()
def purge_security_lists():
    """Deletes the personal data of the security lists of the editions whose day is over."""
    return security_list.purge()
