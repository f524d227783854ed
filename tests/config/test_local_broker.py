"""Whether a worker is running on the folder broker is read from the files the workers
write when ready (config/local_broker.py): only a live Celery process on this machine
counts, never a file left by a killed worker or one whose pid now belongs to another
program."""

from __future__ import annotations

import os
import subprocess
import sys

from config import local_broker
from config.env import Env

SLEEPER = "print('up', flush=True); import time; time.sleep(60)"


def _celery_like() -> subprocess.Popen:
    """A process whose command line says celery, as a worker's does; returned once it
    runs (its /proc entry is complete by then)."""
    process = subprocess.Popen(
        [sys.executable, "-c", SLEEPER, "celery"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline() == "up\n"
    return process


def test_a_live_celery_process_counts_and_unregistering_removes_it(tmp_path):
    process = _celery_like()
    try:
        local_broker.worker_register(tmp_path, process.pid)
        assert local_broker.running_workers(tmp_path) == [process.pid]
        local_broker.worker_unregister(tmp_path, process.pid)
        assert local_broker.running_workers(tmp_path) == []
        local_broker.worker_unregister(tmp_path, process.pid)  # twice is harmless
    finally:
        process.kill()
        process.wait()


def test_files_of_dead_foreign_or_other_hosts_processes_do_not_count(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "pass", "celery"])
    process.wait()
    local_broker.worker_register(tmp_path, process.pid)  # gone: killed with SIGKILL, say
    local_broker.worker_register(tmp_path, os.getpid())  # alive, but pytest, not celery
    other_host = _celery_like()
    try:
        (tmp_path / "workers" / str(other_host.pid)).write_text("another-machine")
        (tmp_path / "workers" / "notes.txt").write_text(os.uname().nodename)
        assert local_broker.running_workers(tmp_path) == []
    finally:
        other_host.kill()
        other_host.wait()
    assert local_broker.running_workers(tmp_path / "missing") == []


def test_the_mode_follows_redis_url_then_celery_eager(tmp_path):
    assert local_broker.task_mode(Env({})) == local_broker.LOCAL
    assert local_broker.task_mode(Env({"CELERY_EAGER": "ja"})) == local_broker.EAGER
    assert local_broker.task_mode(Env({"CELERY_EAGER": "false"})) == local_broker.LOCAL
    assert (
        local_broker.task_mode(Env({"CELERY_EAGER": "true", "REDIS_URL": "redis://r:6379/0"}))
        == local_broker.REDIS
    )
    assert local_broker.broker_dir(Env({}), tmp_path) == tmp_path / "var" / "celery"
    assert local_broker.broker_dir(Env({"CELERY_BROKER_DIR": str(tmp_path / "b")}), tmp_path) == (
        tmp_path / "b"
    )
