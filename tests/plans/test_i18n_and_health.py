from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("language", "skip_text", "home_text"),
    [
        ("nb", "Hopp til hovedinnholdet", "Arbeidsstedene dine"),
        ("nn", "Hopp til hovudinnhaldet", "Arbeidsstadene dine"),
        ("en", "Skip to main content", "Your workplaces"),
    ],
)
def test_language_switch_changes_the_whole_page(cast, client_for, language, skip_text, home_text):
    client = client_for(cast["staff"])
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert f'<html lang="{language}">' in body
    assert skip_text in body
    assert home_text in body


def test_bokmal_is_the_default(cast, client_for):
    body = client_for(cast["staff"]).get(reverse("home")).content.decode()
    assert '<html lang="nb">' in body


@pytest.mark.parametrize("language", ["nn", "en"])
def test_catalogues_are_complete(language):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 100


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """Extracts the strings afresh in a copy of the tree; none may be missing."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".tools", ".git", "var", "staticfiles", "tests", "node_modules", "*.mo"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nn", "-l", "en", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=120,
    )
    for language in ("nn", "en"):
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        missing = [entry.msgid for entry in fresh.untranslated_entries()]
        assert missing == [], f"{language}: strings without translation: {missing}"


def test_healthz_reports_database_and_in_process_tasks(db, client, settings):
    settings.REDIS_URL = None
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "tasks": "in-process"}}


def test_healthz_answers_503_when_redis_is_unreachable(db, client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error")


def test_healthz_on_the_folder_broker_without_a_worker_answers_503(db, client, folder_broker):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "ok",
        "worker": "error: RuntimeError",
    }
    (folder_broker / "queue").rmdir()
    response = client.get(reverse("healthz"))
    assert response.json()["checks"]["broker"] == "error: FileNotFoundError"
