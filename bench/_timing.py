"""Shared by the benchmarks: time one page through Django's test client."""

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
