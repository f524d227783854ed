"""Starting the project — settings, apps, URL configuration, the Celery tasks — does not
import WeasyPrint, fontTools or openpyxl: together they cost well over a second of CPU
(far more on a busy machine) that every ``manage.py`` command and every worker would pay.
They are imported where a PDF or a spreadsheet is made or read."""

from __future__ import annotations

import json

import pytest

from tests.config.test_settings import run_django

HEAVY = ("weasyprint", "fontTools", "openpyxl")

START = """
import json, sys
import django
django.setup()
import config.urls
from django.urls import get_resolver
get_resolver().url_patterns  # every app's urls and views, as the first request loads them
for app in ("plans", "indicators", "btitracker", "competence", "reports"):
    __import__(app + ".tasks")
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.fixture(scope="module")
def started_modules() -> set[str]:
    # A fresh interpreter: this test process has long imported everything.
    result = run_django({}, START)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("package", HEAVY)
def test_starting_the_project_does_not_import(started_modules, package):
    assert "django" in started_modules  # the probe did start the project
    assert package not in started_modules


def test_the_xlsx_format_still_reads_and_writes_a_sheet():
    # tablib's XLSX format is registered lazily (documents/tablib_formats.py); the admin's
    # import-export still offers it and it still round-trips a sheet.
    import tablib
    from import_export.formats.base_formats import DEFAULT_FORMATS

    assert "xlsx" in [format_().get_title() for format_ in DEFAULT_FORMATS]
    content = tablib.Dataset(["Solvik", 3], headers=["Enhet", "Antall"]).export("xlsx")
    assert tablib.Dataset().load(content, format="xlsx").dict == [{"Enhet": "Solvik", "Antall": 3}]
