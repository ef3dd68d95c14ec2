"""Shared by the benchmarks: an organiser's test client, and timing one page through it."""

import statistics
import time


def measure(client, path, *, repeat):
    """``(status, queries, median ms, p95 ms)`` of ``repeat`` requests of ``path``."""
    from django.db import connection, reset_queries

    queries = []

    def count(execute, *args):
        queries.append(args[0])
        return execute(*args)

    # Counted by a wrapper: the request's own signals reset Django's query log.
    with connection.execute_wrapper(count):
        status = client.get(path).status_code
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        reset_queries()
    p95 = statistics.quantiles(timings, n=20)[-1]
    return status, len(queries), statistics.median(timings), p95


def organiser_client(edition):
    """A test client logged in as a new organiser of ``edition``, past the second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.enums import Role
    from accounts.models import Membership, User

    user = User.objects.create_user("mesure", "mesure@example.org", "bench-password-not-used")
    Membership.objects.create(
        user=user, organisation=edition.organisers.first(), role=Role.ORGANISER
    )
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
