"""``indicators.parsing.streaming.iter_parse``: the same rows and problems as the list
parsers, one at a time, for the portal's template and SSB's statbank CSV."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from indicators import parsing
from indicators.parsing.base import (
    MISSING,
    MUNICIPALITY,
    NOT_COMPUTABLE,
    SUPPRESSED,
    VALUE,
    FatalImportError,
)
from indicators.parsing.streaming import iter_parse

from .conftest import DATA, real_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REAL_FILES = sorted(
    path.name for path in DATA.iterdir() if path.suffix in {".csv", ".json", ".xlsx"}
)


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_real_file_gives_the_rows_and_problems_of_its_parser(name):
    content = real_file(name)
    expected = parsing.parse(content, name)
    streamed = iter_parse(DATA / name, name)
    assert list(streamed.rows) == expected.rows
    assert streamed.problems == expected.problems
    assert (streamed.format, streamed.source_code) == (expected.format, expected.source_code)


@pytest.mark.parametrize(
    "name", ["indikatorer_mal_eksempel.csv", "kommunebarometeret_eksempel.csv"]
)
def test_the_template_examples_give_the_rows_of_the_template_parser(name):
    content = (FIXTURES / name).read_bytes()
    expected = parsing.parse(content, name)
    streamed = iter_parse(content, name)
    assert list(streamed.rows) == expected.rows
    assert streamed.problems == expected.problems


def test_ssb_cells_are_read_with_their_status_symbol_and_historic_years():
    streamed = iter_parse(DATA / "ssb_kostra_13135_kulturskole_latin1.csv", "13135.csv")
    assert streamed.format == "ssb_statbank_csv"
    rows = {(row.place_code, row.period_label): row for row in streamed.rows}
    hjartdal = rows[("3819", "2020")]
    assert (hjartdal.value, hjartdal.status, hjartdal.place_name) == (
        Decimal("39.3"),
        VALUE,
        "Hjartdal",
    )
    assert hjartdal.indicator_code == "ssb-13135:KOSmusikkandelba0000"
    assert hjartdal.unit_of_measure == "prosent"
    dot = rows[("3819", "2015")]
    assert (dot.value, dot.status, dot.symbol) == (None, NOT_COMPUTABLE, ".")
    horten = rows[("0701", "2019")]
    assert (horten.place_level, horten.place_name, horten.place_valid_to) == (
        MUNICIPALITY,
        "Horten",
        2019,
    )


HEADER = (
    "kilde;indikatorkode;indikator;stedsnivå;stedskode;sted;periode;undergruppe;verdi;status;enhet"
)


def test_a_quoted_cell_with_the_separator_and_a_line_break_is_one_cell():
    content = (
        HEADER + "\n"
        'lokal;lesing;"Lesing; andel\nover snittet";kommune;9901;Solvik;2024;;"12,5";;prosent\n'
        "lokal;lesing;Lesing;kommune;9901;Solvik;2023;;:;;prosent\n"
    ).encode()
    expected = parsing.parse(content, "mal.csv")
    rows = list(iter_parse(content, "mal.csv").rows)
    assert rows == expected.rows
    assert rows[0].indicator_name == "Lesing; andel\nover snittet"
    assert rows[0].value == Decimal("12.5")
    assert (rows[1].line, rows[1].status, rows[1].symbol) == (4, SUPPRESSED, ":")


def test_a_windows_1252_template_is_decoded_as_such():
    content = (
        (HEADER + "\nlokal;trivsel;Trivsel;kommune;3228;Nes;2024;;..;;prosent\n")
        .replace("Nes", "Bø i Telemark")
        .encode("cp1252")
    )
    row = next(iter_parse(content, "mal.csv").rows)
    assert (row.place_name, row.status, row.symbol) == ("Bø i Telemark", MISSING, "..")


def test_rows_come_one_at_a_time_and_a_broken_end_is_found_when_reached():
    good = "".join(
        f"lokal;trivsel;Trivsel;kommune;9901;Solvik;{year};;1,5;;prosent\n"
        for year in range(1950, 2050)
    )
    content = (HEADER + "\n" + good + 'lokal;trivsel;"Trivsel\n').encode()
    streamed = iter_parse(content, "mal.csv")
    first = next(streamed.rows)
    assert (first.line, first.period_label, first.value) == (2, "1950", Decimal("1.5"))
    assert streamed.problems == []  # the last line has not been read yet
    assert len(list(streamed.rows)) == 99
    assert streamed.problems == parsing.parse(content, "mal.csv").problems
    assert [(problem.line, problem.reason) for problem in streamed.problems] == [
        (102, "Linjen har 3 kolonner, overskriften har 11.")
    ]


def test_problems_are_collected_while_reading():
    content = (
        HEADER + "\n"
        "lokal;trivsel;Trivsel;kommune;99011;Solvik;2024;;1;;prosent\n"
        "lokal;trivsel;Trivsel;kommune;9901;Solvik;2024;;ca. 40;;prosent\n"
        "lokal;trivsel;Trivsel;kommune;9901;Solvik;2023;;40;;prosent\n"
    ).encode()
    streamed = iter_parse(content, "mal.csv")
    rows = list(streamed.rows)
    assert [row.period_label for row in rows] == ["2023"]
    assert [(problem.line, problem.column, problem.value) for problem in streamed.problems] == [
        (2, "stedskode", "99011"),
        (3, "verdi", "ca. 40"),
    ]
    assert streamed.problem_count == 2


def test_an_empty_template_is_a_fatal_error():
    with pytest.raises(FatalImportError, match="ingen rader"):
        iter_parse((HEADER + "\n").encode(), "mal.csv")


def test_a_file_read_from_disk_is_closed_when_the_rows_are_read(tmp_path):
    path = tmp_path / "mal.csv"
    path.write_bytes((HEADER + "\nlokal;a;A;land;0;;2024;;1;;\n").encode())
    streamed = iter_parse(path, path.name)
    assert [row.place_code for row in streamed.rows] == ["0"]
    assert streamed.rows.gi_frame is None  # the generator has finished and closed the file
