"""`make run` on a fresh machine: ``migrate`` on an empty database runs the database
checks before any table exists (the indicators' orphan check among them), then migrates;
afterwards the checks run against the tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_migrate_and_the_database_checks_work_on_an_empty_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    env.pop("REDIS_URL", None)
    for command in (["migrate", "--no-input"], ["check", "--database", "default"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
