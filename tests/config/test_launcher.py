"""`make run` without Redis (config/launcher.py): a real Celery worker starts beside the
server, and however the server stops (Ctrl-C, kill of the launcher, the launcher killed
outright) no worker process is left.

The server is a stand-in that needs no port (``run --command``); the worker is the real
one on a folder broker in tmp_path, against an empty SQLite file it never needs to read.
Each test starts and stops a worker (about 10 s): drills for `make test-slow`."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import local_broker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

SERVER = "print('server up', flush=True); import time; time.sleep(600)"


def _launch(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    folder = tmp_path / "broker"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_EAGER", "DATABASE_URL"}
    }
    env.update(
        CELERY_BROKER_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    launcher = subprocess.Popen(
        [sys.executable, "-m", "config.launcher", "run", "--command", sys.executable, "-c", SERVER],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group, like a shell job: Ctrl-C goes to the whole group.
        start_new_session=True,
    )
    return launcher, folder


def _worker_of(launcher: subprocess.Popen, folder: Path) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = local_broker.running_workers(folder)
        if workers:
            return workers[0]
        if launcher.poll() is not None:
            pytest.fail("the launcher exited: " + launcher.stdout.read())
        time.sleep(0.2)
    _kill_group(launcher.pid)
    pytest.fail("no worker got ready within 60 s")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def _assert_gone(worker: int, seconds: float) -> None:
    """The worker runs in a session (and so a process group) of its own, numbered by its
    pid: no process left in that group means no worker, pool child or beat left."""
    deadline = time.monotonic() + seconds
    while _group_alive(worker):
        if time.monotonic() > deadline:
            _kill_group(worker)
            pytest.fail("a worker process outlived the launcher")
        time.sleep(0.2)


def test_ctrl_c_stops_the_server_and_then_the_worker(tmp_path):
    launcher, folder = _launch(tmp_path)
    try:
        worker = _worker_of(launcher, folder)
        assert os.getpgid(worker) == worker != launcher.pid
        assert launcher.stdout.readline().startswith("Celery-arbeideren kjører")
        assert launcher.stdout.readline() == "server up\n"
        os.killpg(launcher.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        launcher.wait(timeout=40)
        _assert_gone(worker, 5)
        assert "Celery-arbeideren er stoppet." in launcher.stdout.read()
        assert list((folder / "workers").iterdir()) == []
        log = (folder / local_broker.LOG).read_text()
        assert "portal@" in log
        assert "ready." in log
        assert "Warm shutdown" in log
    finally:
        _kill_group(launcher.pid)


def test_kill_of_the_launcher_alone_stops_server_and_worker(tmp_path):
    launcher, folder = _launch(tmp_path)
    try:
        worker = _worker_of(launcher, folder)
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=40)
        _assert_gone(worker, 5)
        # The stand-in server was in the launcher's group: nothing of it is left either.
        _assert_gone(launcher.pid, 5)
    finally:
        _kill_group(launcher.pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_launcher_killed_outright_takes_the_worker_with_it(tmp_path):
    launcher, folder = _launch(tmp_path)
    try:
        worker = _worker_of(launcher, folder)
        launcher.kill()
        launcher.wait(timeout=10)
        _assert_gone(worker, 30)
        _assert_gone(launcher.pid, 10)
    finally:
        _kill_group(launcher.pid)
