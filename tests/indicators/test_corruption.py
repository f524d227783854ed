"""Property: a real file, damaged the way a download, a person in Excel or a tool damages
it, is either refused with a reason or yields only values the undamaged file holds at
the same indicator, place, period and subgroup. Never a value the file does not contain
at that key (see ``corruption.py`` for the damage)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.parsing.base import FatalImportError
from tests.indicators import corruption
from tests.indicators.conftest import DATA

REAL_FILES = sorted(path.name for path in DATA.iterdir() if path.name != "README.md")
TEXT_DAMAGE = ("cut", "delete_cell", "duplicate_line", "swap_columns", "insert_formula", "bom")
# A cell deleted with «shift left» in a spreadsheet leaves the row as wide as the rest
# (the last cell is just empty), so nothing tells the row apart from one with an empty
# cell: that damage is left out for XLSX (see the report in data/README.md).
XLSX_DAMAGE = ("cut", "duplicate_line", "swap_columns", "insert_formula")

_undamaged: dict[str, dict] = {}


def real(name: str) -> bytes:
    content = (DATA / name).read_bytes()
    if name.startswith("ungdata_") and not content.endswith(b"\n"):
        # Typed by hand without a line end after the last line: the importer refuses that
        # (it cannot tell «51» from a cut-off «5»); the data admin adds the line end.
        content += b"\n"
    return content


def undamaged(name: str) -> dict:
    if name not in _undamaged:
        _undamaged[name] = corruption.observations(real(name), name)
    return _undamaged[name]


def damage(name: str, content: bytes, kind: str, a: int, b: int, c: int) -> bytes:
    if kind == "cut":
        return corruption.cut(content, a % len(content))
    if name.endswith(".xlsx"):
        return corruption.xlsx_damage(content, kind, a, b, c)
    if name.endswith(".json"):
        if kind == "bom":
            return corruption.declare_encoding(content, "utf16be_bom")
        return corruption.cut(content, a % len(content))
    if kind == "delete_cell":
        return corruption.delete_cell(content, a, b)
    if kind == "duplicate_line":
        return corruption.duplicate_line(content, a)
    if kind == "swap_columns":
        return corruption.swap_columns(content, b, c)
    if kind == "insert_formula":
        return corruption.insert_formula(content, a, b, "=SUM(B2:B4)")
    declarations = [*corruption.ENCODING_DECLARATIONS, "none"]
    return corruption.declare_encoding(content, declarations[c % len(declarations)])


def check(name: str, kind: str, a: int, b: int, c: int) -> None:
    expected = undamaged(name)
    broken = damage(name, real(name), kind, a, b, c)
    try:
        found = corruption.observations(broken, name)
    except FatalImportError as error:
        refusal: str | None = str(error)
        found = {}
    else:
        refusal = None
    if refusal is not None:
        assert refusal.strip(), "a refusal says why"
        return
    wrong = {
        key: (value, expected.get(key))
        for key, value in found.items()
        if expected.get(key) != value
    }
    assert not wrong, (kind, a, b, c, list(wrong.items())[:3])


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_reads_the_same_without_damage(name):
    assert undamaged(name)


# Damaging a spreadsheet means rewriting its zip, about ten seconds an example: the XLSX
# file's run is a drill (`make test-slow`, CI), the text files run in `make test`.
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if name.endswith(".xlsx") else name
        for name in REAL_FILES
    ],
)
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_damaged_real_file_is_refused_or_read_exactly(name, data):
    kinds = XLSX_DAMAGE if name.endswith(".xlsx") else TEXT_DAMAGE
    kind = data.draw(st.sampled_from(kinds), label="damage")
    size = len(real(name))
    a = data.draw(st.integers(0, size), label="line or byte")
    b = data.draw(st.integers(0, 60), label="cell")
    c = data.draw(st.integers(0, 60), label="other cell")
    check(name, kind, a, b, c)


@pytest.mark.parametrize("name", [n for n in REAL_FILES if not n.endswith((".xlsx", ".json"))])
def test_every_cut_of_the_last_line_is_refused(name):
    """Cut at every byte of the last line: each is refused, or (cut at a line end) read
    exactly."""
    content = real(name)
    last_start = content.rstrip(b"\r\n\x00").rfind(b"\n") + 1
    for at in range(last_start, len(content)):
        check(name, "cut", at, 0, 0)
