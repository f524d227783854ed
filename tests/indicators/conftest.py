"""The real files (byte for byte as ../shared/data holds them: see data/README.md for
where each comes from) and helpers shared by the indicator tests."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def real_file(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def data_dir() -> Path:
    return DATA
