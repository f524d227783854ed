"""The demo app is the highest layer: it imports every app's seeder and nothing imports it.
``plans`` used to hold the orchestration and reached up into every other app (and
``reports``) from inside it; now ``plans`` imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

APPS = ("plans", "indicators", "btitracker", "competence", "reports")


def _imported(app: str) -> set[str]:
    """Top-level packages every module of ``app`` imports, at any depth in the code."""
    found: set[str] = set()
    for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def test_no_app_imports_the_demo_app():
    for app in APPS:
        assert "demo" not in _imported(app), app


def test_plans_imports_none_of_the_apps_above_it():
    assert not _imported("plans") & {"indicators", "btitracker", "competence", "reports"}
