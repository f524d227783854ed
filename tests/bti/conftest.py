import pytest

from tests.bti.helpers import build_bti


@pytest.fixture
def bti(cast):
    return build_bti(cast)
