"""The arrows between the apps (docs/architecture.md): plans ← indicators / btitracker /
competence ← reports, with documents below plans and config's URLs on top. The contract
is ``[tool.importlinter]`` in pyproject.toml; ``make lint`` runs it too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_import_goes_against_the_arrows():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
