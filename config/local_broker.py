"""The broker that needs no server, for running the portal without Redis.

With no ``REDIS_URL``, Celery queues tasks as files in a folder (kombu's filesystem
transport), by default ``var/celery``, and a real worker takes them: `make run` starts
one beside ``runserver`` (``config/launcher.py``), `make worker` runs one alone. Only
``CELERY_EAGER=true`` (the tests) still runs tasks inside the process that queues them.

Why the filesystem transport and not kombu's SQLAlchemy one: it needs no package beyond
kombu, does not compete with the portal for SQLite's single writer lock, and supports the
broadcasts Celery's remote control uses. What it lacks: a message is taken off the folder
when a worker receives it, so a worker killed with SIGKILL mid-task loses that message
(a warm or cold shutdown puts unacknowledged messages back). The status reports do not
depend on it: beat's ``reports.requeue_status_reports`` sends a stale one again.

Whether a worker is running is not asked over the broker (a broadcast would wait for a
timeout on every page, and leave messages behind for workers that are gone): each worker
writes its process id into ``workers/`` when ready and removes it when it stops, and a
reader checks that the process is still alive. That works because the folder is local:
the filesystem broker only ever serves one machine.

This module imports nothing from Django's settings, so the launcher can use it before
Django is set up.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from config.env import Env

QUEUE = "queue"
CONTROL = "control"
WORKERS = "workers"
LOG = "worker.log"
BEAT_SCHEDULE = "beat-schedule"

# The modes the task setup can be in, decided from the environment in one place for the
# settings and the launcher alike.
REDIS = "redis"
EAGER = "eager"
LOCAL = "local"


def task_mode(env: Env) -> str:
    """``redis`` when REDIS_URL is set (CELERY_EAGER is then ignored: the tests set it,
    and CI runs them with Redis); otherwise ``eager`` when CELERY_EAGER is true, and
    ``local`` (the folder broker) by default."""
    eager = env.bool("CELERY_EAGER", default=False)
    if env.is_set("REDIS_URL"):
        return REDIS
    return EAGER if eager else LOCAL


def broker_dir(env: Env, base_dir: Path) -> Path:
    """The broker's folder: CELERY_BROKER_DIR, or ``var/celery`` beside the project."""
    value = env.str("CELERY_BROKER_DIR")
    return Path(value).resolve() if value else base_dir / "var" / "celery"


def prepare(folder: Path) -> None:
    """Create the broker's folders (kombu's transport expects them to exist)."""
    for name in (QUEUE, CONTROL, WORKERS):
        (folder / name).mkdir(parents=True, exist_ok=True)


def transport_options(folder: Path) -> dict[str, object]:
    # One folder for both directions: the portal and the worker write and read the same
    # queue. Processed messages are not kept.
    return {
        "data_folder_in": str(folder / QUEUE),
        "data_folder_out": str(folder / QUEUE),
        "control_folder": str(folder / CONTROL),
        "store_processed": False,
    }


def worker_options(folder: Path) -> list[str]:
    """The worker's command-line options on this broker.

    Gossip, mingle and heartbeats broadcast to every worker that ever bound a queue; on a
    folder, the queues of workers that are gone are never deleted, so their messages would
    pile up. Beat runs inside the worker (``--beat``): there is one worker per machine
    here, and the periodic jobs (reminders, the report requeue) would otherwise not run.
    """
    return [
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--concurrency=2",
        "--hostname=portal@%h",
        "--beat",
        f"--schedule={folder / BEAT_SCHEDULE}",
    ]


def _pid_file(folder: Path, pid: int) -> Path:
    return folder / WORKERS / str(pid)


def worker_register(folder: Path, pid: int) -> None:
    """Called by the worker when it is ready (config/celery.py)."""
    prepare(folder)
    _pid_file(folder, pid).write_text(os.uname().nodename)


def worker_unregister(folder: Path, pid: int) -> None:
    """Called by the worker when it stops."""
    with contextlib.suppress(FileNotFoundError):
        _pid_file(folder, pid).unlink()


def running_workers(folder: Path) -> list[int]:
    """Process ids of the workers on this folder that are alive. A file left by a worker
    killed with SIGKILL names a process that is gone (or, after pid reuse, one that is not
    a Celery worker), and is not counted."""
    directory = folder / WORKERS
    if not directory.is_dir():
        return []
    host = os.uname().nodename
    alive = []
    for path in directory.iterdir():
        if not path.name.isdigit():
            continue
        try:
            if path.read_text().strip() != host:
                continue
        except OSError:
            continue
        pid = int(path.name)
        if _is_celery_process(pid):
            alive.append(pid)
    return sorted(alive)


def _is_celery_process(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, under another user
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return b"celery" in cmdline.read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc (macOS): trust the signal check
    except OSError:
        return True


def check_writable(folder: Path) -> None:
    """Raise OSError unless a message could be written to the queue folder now."""
    queue = folder / QUEUE
    if not queue.is_dir():
        raise FileNotFoundError(f"{queue} is missing")
    if not os.access(queue, os.W_OK | os.X_OK):
        raise PermissionError(f"{queue} is not writable")
