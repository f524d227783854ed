import pytest

from tests.bti.helpers import build_bti


@pytest.fixture
def bti(cast):
    return build_bti(cast)


@pytest.fixture(autouse=True)
def audit_checkpoints(tmp_path, settings):
    """Checkpoints go to a file of the test's own, never to var/ of the checkout."""
    settings.BTI_AUDIT_CHECKPOINT_FILE = str(tmp_path / "bti-audit-checkpoints")
    return tmp_path / "bti-audit-checkpoints"
