"""``ptce serve``: the production service in one command.

Starts two child processes, gunicorn (the web server) and ``ptce db_worker`` (the task
worker), and runs the scheduler of periodic jobs (``ptce.scheduler``) in this process. Ctrl-C
or SIGTERM stops everything cleanly: both children get SIGTERM (gunicorn finishes the requests
under way, the worker the task under way), are waited for, and the command exits with 0. If a
child stops on its own, the other is stopped too and the command exits with 1, so that a
supervisor (systemd) restarts the whole service.
"""

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import gunicorn
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from common.redaction import AccessLogger
from ptce.scheduler import Scheduler

logger = logging.getLogger("ptce.serve")

# Seconds a child has to finish what it is doing after SIGTERM before it is killed; the
# default stop timeout of systemd (90 s) leaves room for it.
STOP_TIMEOUT = 30
# The task worker's scheduling priority below the web server's (see os.nice).
WORKER_NICENESS = 10
# How often the children are checked and the scheduler looks for due jobs.
LOOP_INTERVAL = 0.5


def _positive(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Run the production web server (gunicorn), the task worker and the scheduler."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        parser.add_argument(
            "--port", type=_positive, default=settings.PORT, help="port (default: PORT, 8000)"
        )
        parser.add_argument(
            "--workers", type=_positive, default=2, help="gunicorn worker processes (default: 2)"
        )

    def handle(self, *, host, port, workers, **options):
        try:
            scheduler = Scheduler.from_settings()
        except ValueError as error:
            raise CommandError(f"PTCE_PERIODIC_TASKS: {error}") from None
        self._check_ready()

        self.signals = []
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

        children = {}
        try:
            children["web server"] = _start(_gunicorn_command(host, port, workers))
            # Behind the web server for the processor: when registration opens, people wait
            # for an answer while their emails (PDF tickets to draw) can follow a little later.
            children["task worker"] = _start(_worker_command(), niceness=WORKER_NICENESS)
            display_host = f"[{host}]" if ":" in host else host
            self.stdout.write(
                f"Journées PTCE is running at http://{display_host}:{port}/ (Ctrl-C to stop)"
            )
            self.stdout.write(
                f"web server pid {children['web server'].pid}, "
                f"task worker pid {children['task worker'].pid}, "
                f"periodic jobs: {', '.join(job.path for job in scheduler.jobs) or 'none'}"
            )
            self.stdout.flush()
            died = self._supervise(children, scheduler)
        finally:
            self._stop(children)

        if died:
            name, code = died
            raise CommandError(f"the {name} stopped on its own (exit code {code}): service stopped")
        self.stdout.write("Journées PTCE stopped.")

    def _check_ready(self):
        """Refuses to start on a database that is out of reach or not migrated."""
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise CommandError(f"cannot reach the database: {error}") from None
        if pending:
            raise CommandError(
                f"{len(pending)} database migration(s) not applied: run `ptce migrate` first"
            )
        static = storages["staticfiles"]
        if isinstance(static, ManifestFilesMixin) and not static.exists(static.manifest_name):
            self.stderr.write(
                "Warning: static files are not collected, pages will fail: "
                "run `ptce collectstatic --noinput` first."
            )

    def _on_signal(self, signum, frame):
        self.signals.append(signum)

    def _supervise(self, children, scheduler):
        """Runs until a signal arrives or a child exits; returns (name, exit code) of the latter."""
        while not self.signals:
            for name, process in children.items():
                if (code := process.poll()) is not None:
                    logger.error("The %s (pid %s) exited with code %s", name, process.pid, code)
                    return name, code
            scheduler.tick()
            time.sleep(LOOP_INTERVAL)
        logger.info("Received %s: stopping", signal.strsignal(self.signals[0]))
        return None

    def _stop(self, children):
        """SIGTERM to every child still running, then wait; a second signal or the timeout kills."""
        running = [process for process in children.values() if process.poll() is None]
        for process in running:
            process.terminate()
        signals_before = len(self.signals)
        deadline = time.monotonic() + STOP_TIMEOUT
        while any(process.poll() is None for process in running):
            if time.monotonic() > deadline or len(self.signals) > signals_before:
                for process in running:
                    if process.poll() is None:
                        logger.warning("Killing pid %s", process.pid)
                        process.kill()
                for process in running:
                    process.wait()
                break
            time.sleep(0.1)


def _gunicorn_command(host, port, workers):
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "ptce.wsgi:application",
        f"--bind={bind}",
        f"--workers={workers}",
        # Access log on stdout, errors on stderr: the supervisor's journal keeps both. The
        # access log names a request by its path with the secrets of signed links masked,
        # without query string nor referrer (common.redaction).
        "--access-logfile=-",
        "--error-logfile=-",
        "--logger-class=common.redaction.AccessLogger",
        f"--access-logformat={AccessLogger.FORMAT}",
        f"--graceful-timeout={STOP_TIMEOUT - 5}",
        # gunicorn's largest request line (its default is 4094), above Django's own limit
        # (PTCE_MAX_URL_LENGTH): a long address gets the project's 414 page in the visitor's
        # language, not gunicorn's bare English one.
        "--limit-request-line=8190",
    ]
    if gunicorn.version_info >= (25, 1):
        # Its control socket sits at one path per user: two services on a machine (or the
        # tests) would fight over it, and this command is what controls gunicorn.
        command.append("--no-control-socket")
    return command


def _worker_command():
    # A worker id that says where it runs helps when several machines share the queue.
    worker_id = f"{socket.gethostname()[:50]}-{os.getpid()}"
    return [
        sys.executable,
        "-m",
        "ptce.cli",
        "db_worker",
        "--no-reload",
        f"--worker-id={worker_id}",
    ]


def _start(command, *, niceness=0):
    # Own session: a Ctrl-C in the terminal reaches this process only, which then stops each
    # child once (the worker would abort its task on a second signal).
    def prepare():
        _die_with_parent()
        if niceness:
            os.nice(niceness)

    return subprocess.Popen(
        command,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
        start_new_session=True,
        preexec_fn=prepare,
    )


_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent():
    """In the child, before exec: get SIGTERM if ``ptce serve`` dies without stopping us."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
