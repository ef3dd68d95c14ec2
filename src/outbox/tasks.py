"""The outbox's tasks: send one message, and give back what a dead worker left.

See :mod:`outbox.services` for the guarantees.
"""

from django_tasks import task

from outbox import services


@task()
def deliver(message_pk):
    """Sends the message ``message_pk`` if it is pending and due; returns what happened."""
    return services.deliver_message(message_pk)


@task()
def sweep():
    """Periodic: re-enqueues the messages whose task or worker was lost (idempotent)."""
    return services.sweep_stale()
