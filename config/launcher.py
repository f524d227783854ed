"""`make run` and `make worker`: the web server and the Celery worker, with or without Redis.

    python -m config.launcher run [runserver arguments]
    python -m config.launcher worker

Without ``REDIS_URL`` (the folder broker, config/local_broker.py), ``run`` starts a Celery
worker with beat in the background, its output in ``var/celery/worker.log``, then
``manage.py runserver`` in the foreground, and stops the worker when the server stops:
Ctrl-C, ``kill`` of this process, or the server exiting on its own. The worker runs in
a session of its own, so Ctrl-C in the terminal reaches the server and this launcher but
not the worker, which is then stopped in order (warm shutdown, then cold, then SIGKILL of
its whole process group). On Linux both children also get SIGTERM if this launcher is
killed outright (``PR_SET_PDEATHSIG``), so no worker outlives it.

With ``REDIS_URL``, ``run`` is ``runserver`` alone and ``worker`` the plain worker, as
before (compose runs worker and beat as services). With ``CELERY_EAGER=true`` tasks run
in the web process and there is nothing for a worker to do.

``run --command PROGRAM [ARGS]`` runs PROGRAM instead of runserver (the tests use a
stand-in that needs no port).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

from config import local_broker
from config.env import Env

ROOT = Path(__file__).resolve().parent.parent
# How long each step of stopping may take before the next, harder one.
SERVER_GRACE = 5.0
WORKER_WARM_GRACE = 10.0
WORKER_COLD_GRACE = 5.0
_PR_SET_PDEATHSIG = 1


class _Stop(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum, frame) -> None:
    raise _Stop(signum)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the launcher dies, however it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def celery_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", *options]


def runserver_command(arguments: list[str]) -> list[str]:
    return [sys.executable, "manage.py", "runserver", *arguments]


def _wait(process: subprocess.Popen, seconds: float) -> bool:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_worker(worker: subprocess.Popen) -> None:
    """Warm shutdown (running tasks finish, waiting messages go back to the folder), then
    cold, then SIGKILL of the whole group: prefork children and the embedded beat. The
    first two go to the main process only: it stops its children itself, and a SIGTERM
    to a pool child would kill the task a warm shutdown lets finish."""
    for signum, grace in (
        (signal.SIGTERM, WORKER_WARM_GRACE),
        (signal.SIGQUIT, WORKER_COLD_GRACE),
    ):
        if worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                worker.send_signal(signum)
            if _wait(worker, grace):
                break
    _signal_group(worker.pid, signal.SIGKILL)
    if worker.poll() is None:
        worker.wait()


def stop_server(server: subprocess.Popen, signum: int | None) -> None:
    # Ctrl-C in the terminal has reached the server already: give it the time to stop.
    if signum != signal.SIGINT and server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            server.send_signal(signal.SIGTERM)
    if not _wait(server, SERVER_GRACE):
        with contextlib.suppress(ProcessLookupError):
            server.terminate()
        if not _wait(server, SERVER_GRACE):
            server.kill()
            server.wait()


def run_with_worker(server_command: list[str], folder: Path) -> int:
    local_broker.prepare(folder)
    log_path = folder / local_broker.LOG
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, _raise_stop) for signum in handled}
    worker = server = None
    stopped_by: int | None = None
    code = 0
    try:
        with log_path.open("ab") as log:
            worker = subprocess.Popen(
                celery_command(*local_broker.worker_options(folder)),
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        print(
            f"Celery-arbeideren kjører (pid {worker.pid}); loggen står i {log_path}.",
            flush=True,
        )
        server = subprocess.Popen(server_command, cwd=ROOT, preexec_fn=_die_with_parent)
        code = server.wait()
    except _Stop as stop:
        stopped_by = stop.signum
    finally:
        # Stopping runs to its end; a second Ctrl-C must not leave the worker behind.
        for signum in handled:
            signal.signal(signum, signal.SIG_IGN)
        if server is not None:
            stop_server(server, stopped_by)
        if worker is not None:
            stop_worker(worker)
            print("Celery-arbeideren er stoppet.", flush=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in {"run", "worker"}:
        print(__doc__, file=sys.stderr)
        return 2
    action, rest = arguments[0], arguments[1:]
    env = Env()
    mode = local_broker.task_mode(env)
    os.chdir(ROOT)

    if action == "worker":
        if mode == local_broker.EAGER:
            print(
                "CELERY_EAGER=true: oppgavene kjøres i webprosessen, og det er ingen kø "
                "for en arbeider å hente fra.",
                file=sys.stderr,
            )
            return 2
        options: list[str] = []
        if mode == local_broker.LOCAL:
            folder = local_broker.broker_dir(env, ROOT)
            local_broker.prepare(folder)
            options = local_broker.worker_options(folder)
        command = celery_command(*options)
        os.execvp(command[0], command)

    server_command = rest[1:] if rest[:1] == ["--command"] else runserver_command(rest)
    if mode != local_broker.LOCAL:
        # Redis: the worker is a service of its own; eager: tasks run in the server.
        os.execvp(server_command[0], server_command)
    return run_with_worker(server_command, local_broker.broker_dir(env, ROOT))


if __name__ == "__main__":
    sys.exit(main())
