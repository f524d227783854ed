"""Settings come from the environment; a malformed value stops the start with a message
that names the variable. Each case runs Django in a fresh process with its own env."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "broker_dir": s.LOCAL_BROKER_DIR and str(s.LOCAL_BROKER_DIR),
    "queue_folder": s.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in"),
    "results": s.CELERY_RESULT_BACKEND,
    "cache": s.CACHES["default"]["BACKEND"],
    "email": s.EMAIL_BACKEND,
    "debug": s.DEBUG,
    "hosts": s.ALLOWED_HOSTS,
    "media": s.STORAGES["default"]["BACKEND"],
    "secure_cookie": s.SESSION_COOKIE_SECURE,
}))
"""


def run_django(env: dict[str, str], code: str = PRINT_SETTINGS) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_with_nothing_set_the_portal_uses_sqlite_a_folder_broker_and_console_mail():
    result = run_django({})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    # Tasks go to a real worker through a folder in var/, never run in the request.
    assert values["eager"] is False
    assert values["broker"] == "filesystem://"
    assert values["broker_dir"] == str(ROOT / "var" / "celery")
    assert values["queue_folder"] == str(ROOT / "var" / "celery" / "queue")
    assert values["results"] is None
    assert values["cache"].endswith("LocMemCache")
    assert values["email"].endswith("console.EmailBackend")
    assert values["debug"] is False
    assert values["media"].endswith("FileSystemStorage")


def test_the_folder_broker_lives_where_celery_broker_dir_says_and_is_created(tmp_path):
    folder = tmp_path / "broker"
    result = run_django({"CELERY_BROKER_DIR": str(folder)})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert (values["eager"], values["broker"]) == (False, "filesystem://")
    assert values["queue_folder"] == str(folder / "queue")
    assert sorted(path.name for path in folder.iterdir()) == ["control", "queue", "workers"]


def test_celery_eager_runs_tasks_in_process_without_redis_and_is_ignored_with_redis(tmp_path):
    folder = tmp_path / "broker"
    eager = json.loads(
        run_django({"CELERY_EAGER": "true", "CELERY_BROKER_DIR": str(folder)}).stdout
    )
    assert (eager["eager"], eager["broker"], eager["broker_dir"]) == (True, "memory://", None)
    assert not folder.exists()
    with_redis = json.loads(
        run_django({"CELERY_EAGER": "true", "REDIS_URL": "redis://127.0.0.1:6379/3"}).stdout
    )
    assert (with_redis["eager"], with_redis["broker"]) == (False, "redis://127.0.0.1:6379/3")


def test_real_services_are_switched_on_by_urls():
    result = run_django(
        {
            "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "EMAIL_HOST": "smtp.example.no",
            "ALLOWED_HOSTS": "kvalitet.example.no,www.kvalitet.example.no",
            "DEBUG": "false",
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["cache"].endswith("RedisCache")
    assert values["email"].endswith("smtp.EmailBackend")
    assert values["hosts"] == ["kvalitet.example.no", "www.kvalitet.example.no"]
    assert values["secure_cookie"] is True


def test_s3_media_storage_is_configurable():
    result = run_django(
        {
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": "rapporter",
            "S3_ENDPOINT_URL": "https://s3.example.no",
        }
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["media"] == "storages.backends.s3.S3Storage"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "kanskje"}, "Ugyldig verdi for DEBUG: 'kanskje'"),
        ({"DATABASE_URL": "mysql://db/portal"}, "Ugyldig verdi for DATABASE_URL"),
        ({"DATABASE_URL": "postgres:///"}, "Ugyldig verdi for DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "Ugyldig verdi for REDIS_URL"),
        ({"CELERY_EAGER": "kanskje"}, "Ugyldig verdi for CELERY_EAGER: 'kanskje'"),
        ({"SECRET_KEY": "for-kort"}, "Ugyldig verdi for SECRET_KEY"),
        ({"ALLOWED_HOSTS": "a.example.no,,b"}, "Ugyldig verdi for ALLOWED_HOSTS"),
        (
            {"EMAIL_PORT": "tjuefem"},
            "Ugyldig verdi for EMAIL_PORT: 'tjuefem'. Forventet et heltall",
        ),
        ({"EMAIL_DELIVERY": "smtp"}, "EMAIL_DELIVERY=smtp krever EMAIL_HOST"),
        ({"MEDIA_STORAGE": "ftp"}, "Ugyldig verdi for MEDIA_STORAGE"),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 krever også S3_BUCKET"),
        ({"SESSION_IDLE_TIMEOUT": "10"}, "et heltall på minst 60"),
        (
            {"OIDC_PROVIDERS": "nordvik", "OIDC_NORDVIK_ISSUER": "https://login.example.no"},
            "OIDC_PROVIDERS nevner 'nordvik', men OIDC_NORDVIK_CLIENT_ID",
        ),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_bad_values_stop_the_start_with_a_clear_message(env, message):
    result = run_django(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_deploy_check_finds_nothing_with_production_settings():
    """`manage.py check --deploy` against the settings docs/deployment.md prescribes."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "false",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "kvalitet.example.no",
            "HTTPS": "true",
            "BEHIND_PROXY": "true",
            # docs/deployment.md: the BTI keys (without them btitracker.E001/E003 fail).
            "BTI_ENCRYPTION_KEYS": "q1c0Vj2yq8l3V8o3kM1Zr0rX2bqWcG5m3m2cSbS0p1E=",
            "BTI_HASH_KEY": "k" * 20 + "e" * 20 + "y" * 8,
            # The access log's own chain key and checkpoint place (btitracker.E004/E005).
            "BTI_AUDIT_KEY": "a" * 20 + "u" * 20 + "d" * 8,
            "BTI_AUDIT_CHECKPOINT_FILE": "/srv/audit/checkpoints.log",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
