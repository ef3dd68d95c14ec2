"""Periodic jobs of admission, enqueued by the scheduler of ``ptce serve``; idempotent."""

from django_tasks import task

from admission import rehearsals, security_list


@task()
def purge_security_lists():
    """Deletes the personal data of the security lists of the editions whose venue details
    are due for deletion (``venue_data_retention_days`` after the day; see
    :func:`admission.security_list.purge_from`)."""
    return security_list.purge()


@task()
def end_rehearsals():
    """Deletes the check-in rehearsals, with their scans, of the editions whose day has
    started (:func:`admission.rehearsals.end_started`)."""
    return rehearsals.end_started()
