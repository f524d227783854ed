"""Where report PDFs are stored: local media by default, an S3-compatible bucket through
django-storages when MEDIA_STORAGE=s3 (each case in a fresh process with its own env)."""

from __future__ import annotations

import json

from tests.config.test_settings import GOOD_KEY, run_django

PRINT_REPORT_STORAGE = """
import json, django
django.setup()
from reports.models import StatusReport
field_storage = StatusReport._meta.get_field("pdf").storage
# DefaultStorage is a lazy proxy; what it wraps is the configured backend.
field_storage._setup()
storage = field_storage._wrapped
print(json.dumps({
    "class": f"{type(storage).__module__}.{type(storage).__name__}",
    "bucket": getattr(storage, "bucket_name", None),
    "overwrite": getattr(storage, "file_overwrite", None),
}))
"""


def test_report_pdfs_go_to_local_media_by_default():
    result = run_django({"SECRET_KEY": GOOD_KEY}, PRINT_REPORT_STORAGE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["class"] == (
        "django.core.files.storage.filesystem.FileSystemStorage"
    )


def test_report_pdfs_go_to_an_s3_bucket_when_configured():
    result = run_django(
        {
            "SECRET_KEY": GOOD_KEY,
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": "rapporter",
            "S3_ENDPOINT_URL": "https://s3.example.no",
        },
        PRINT_REPORT_STORAGE,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["class"] == "storages.backends.s3.S3Storage"
    assert found["bucket"] == "rapporter"
    # The job deletes the old file before it stores the new one under the same name.
    assert found["overwrite"] is False
