"""Each class of silent error the importer made on real files it had not seen, pinned on a
real file (or one built in a published layout, see data/README.md) damaged the way a
person or a download damages it: refused with the line named, or read exactly."""

from __future__ import annotations

import codecs
import datetime
from decimal import Decimal

import pytest

from indicators.models import ImportStatus, Observation
from indicators.parsing import base, fhi_api, mapped, ssb_csv, udir_csv
from indicators.parsing.base import FatalImportError
from indicators.parsing.cellvalues import CellError, parse_period
from indicators.services.file_checks import file_content_check
from indicators.services.imports import batch_commit, batch_rollback
from tests.indicators import corruption
from tests.indicators.conftest import real_file
from tests.indicators.import_helpers import imported, preview, template, trivsel

KULTURSKOLE = "ssb_kostra_13135_kulturskole_latin1.csv"
MOBBING = "udir_elevundersokelsen_mobbing_vgs_utf16le.csv"
PEDAGOGNORMEN = "udir_barnehage_pedagognormen_utf16le.csv"
QUOTED = "ssb_11616_quoted_latin1.csv"
FHI_API = "fhi_api_ungdata_psykiske_plager_vtfk_flattened.csv"
SCHOOLS = "udir_grunnskolepoeng_skoler_utlandet_utf16le.csv"


# --- A file cut off inside its last cell ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "ending"),
    [
        (QUOTED, "1878".encode("latin-1")),  # 1878 would be read as 18
        (PEDAGOGNORMEN, "0,0%".encode("utf-16-le")),  # UTF-16: cut at a whole character
        (FHI_API, b".\n"),
    ],
)
def test_file_cut_inside_its_last_cell_is_refused_naming_the_line(name, ending):
    content = real_file(name)
    at = content.rindex(ending) + len(ending) // 2
    cut = content[:at]
    with pytest.raises(FatalImportError, match=r"avkortet: den siste linjen \(\d+\)"):
        file_content_check(content=cut)


def test_utf16_file_cut_inside_a_character_is_refused_with_a_message():
    content = real_file(MOBBING)
    with pytest.raises(FatalImportError, match="UTF-16"):
        corruption.observations(content[:-3], MOBBING)


# --- A row with a cell missing ----------------------------------------------------------


def test_ssb_row_with_a_cell_missing_is_rejected_whole_never_shifted():
    content = real_file(KULTURSKOLE)
    text = content.decode("latin-1")
    assert "3814 Kragerø;.;.;.;.;.;13,9" in text
    broken = text.replace("3814 Kragerø;.;.;.;.;.;13,9", "3814 Kragerø;.;.;.;.;13,9")
    result = ssb_csv.parse(broken.encode("latin-1"), KULTURSKOLE)
    assert not [row for row in result.rows if row.place_code == "3814"]
    line = text[: text.index("3814 Kragerø")].count("\n") + 1
    assert any(
        problem.line == line and "6 kolonner, overskriften har 7" in problem.reason
        for problem in result.problems
    )


def test_udir_row_with_a_cell_missing_is_rejected_whole_never_shifted():
    text = real_file(MOBBING).decode("utf-16-le")
    lines = text.split("\r\n")  # the «sep=» line ends in "\n" only: [0] is lines 1–2
    cells = lines[1].split("\t")
    expected = len(cells)
    del cells[6]
    lines[1] = "\t".join(cells)
    result = udir_csv.parse("\r\n".join(lines).encode("utf-16-le"), MOBBING)
    assert not [row for row in result.rows if row.line == 3]
    assert any(
        problem.line == 3
        and f"{expected - 1} kolonner, overskriften har {expected}" in problem.reason
        for problem in result.problems
    )


def test_row_with_a_formula_is_rejected():
    content = corruption.insert_formula(real_file(FHI_API), 5, 0, "=SUM(B2:B4)")
    result = fhi_api.parse(content, FHI_API)
    assert not [row for row in result.rows if row.line == 6]
    assert any("formel" in problem.reason for problem in result.problems)


# --- Pseudo-places ----------------------------------------------------------------------


def test_udir_utlandet_is_kept_apart_from_country_and_counties_with_one_warning():
    result = udir_csv.parse(real_file(SCHOOLS), SCHOOLS)
    places = {(row.place_level, row.place_code) for row in result.rows}
    assert (base.COUNTY, "25") not in places
    assert not any(code.upper() == "U" for _level, code in places)
    country = [row for row in result.rows if row.place_level == base.COUNTRY]
    assert {(row.period_label, row.value) for row in country} == {
        ("2020/21", Decimal("43.3")),
        ("2021/22", Decimal("41.9")),
    }
    warnings = [problem for problem in result.problems if "Utlandet" in problem.value]
    assert len(warnings) == 1
    assert warnings[0].reason.startswith("2 rader")


# --- Udir school level --------------------------------------------------------------


def test_udir_school_rows_are_unit_places_by_organisation_number():
    result = udir_csv.parse(real_file(SCHOOLS), SCHOOLS)
    schools = {
        (row.place_code, row.period_label): (row.value, row.status)
        for row in result.rows
        if row.place_level == base.UNIT
    }
    assert schools[("974568098", "2021/22")] == (Decimal("40.1"), base.VALUE)
    assert schools[("974568101", "2020/21")] == (None, base.SUPPRESSED)
    kragero = [row for row in result.rows if row.place_code == "4014"]
    assert {row.place_level for row in kragero} == {base.MUNICIPALITY}
    assert not [p for p in result.problems if "fire siffer" in p.reason]


# --- Encoding ---------------------------------------------------------------------------


def test_big_endian_mark_on_little_endian_text_gets_an_encoding_message():
    content = codecs.BOM_UTF16_BE + real_file(MOBBING)
    with pytest.raises(FatalImportError, match=r"big-endian.*little-endian"):
        corruption.observations(content, MOBBING)


def test_utf8_mark_on_latin1_text_gets_an_encoding_message():
    content = codecs.BOM_UTF8 + real_file(KULTURSKOLE)
    with pytest.raises(FatalImportError, match=r"UTF-8 \(BOM\), men teksten er ikke UTF-8"):
        corruption.observations(content, KULTURSKOLE)


def test_utf16_mark_on_utf8_text_gets_an_encoding_message():
    content = codecs.BOM_UTF16_LE + real_file(FHI_API)
    with pytest.raises(FatalImportError, match="ikke UTF-16"):
        corruption.observations(content, FHI_API)


# --- Idempotent re-import -----------------------------------------------------------------


@pytest.mark.django_db
def test_reimport_of_values_with_many_decimals_changes_nothing_and_rollback_works(
    cast, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    content = template(
        trivsel("kommune:9901:Solvik", "2023-24", "", "0,059000000000000004"),
        trivsel("kommune:9901:Solvik", "2022-23", "", "0,12345678901234567"),
    )
    first = imported(content, "trivsel.csv", municipality=cast.municipality)
    assert first.rows_new == 2
    again = preview(content, "trivsel.csv", municipality=cast.municipality)
    assert again.status == ImportStatus.PREVIEW, again.error
    assert (again.rows_changed, again.rows_unchanged) == (0, 2)
    batch_commit(batch=again, user=cast["data_admin"])
    first.refresh_from_db()
    batch_rollback(batch=first, user=cast["data_admin"])
    first.refresh_from_db()
    assert first.status == ImportStatus.ROLLED_BACK
    assert not Observation.objects.exists()


# --- The mapping step -------------------------------------------------------------------


def _names_mapped(content: bytes):
    """A file that names its places (column «Sted»), read through the mapping step."""
    return mapped.parse_with_mapping(
        content,
        "egen.csv",
        columns={"place_code": "Sted", "period": "År", "value": "Andel"},
        source_code="lokal",
        indicator_code="lokal-andel",
        indicator_name="Andel",
    )


def test_mapping_step_resolves_a_place_name_through_the_reform_table():
    content = "Sted;År;Andel\nKragerø;2021;12,5\nKragerø kommune;2022;13,0\n".encode()
    result = _names_mapped(content)
    assert {(row.place_level, row.place_code) for row in result.rows} == {
        (base.MUNICIPALITY, "4014")
    }


def test_multi_year_school_year_label_is_a_period():
    label, start, end = parse_period("2016/17-2018/19")
    assert (label, start, end) == (
        "2016/17-2018/19",
        datetime.date(2016, 8, 1),
        datetime.date(2019, 7, 31),
    )
    with pytest.raises(CellError):
        parse_period("2016/18-2018/19")


# --- A column added in a spreadsheet --------------------------------------------------

# (file, the header line's index among the lines (-1: the first with cells), positions)
EXTRA_COLUMN = [
    (KULTURSKOLE, 3, (2, 99)),
    (MOBBING, -1, (0, 1, 2, 99)),
    (PEDAGOGNORMEN, -1, (0, 1, 2, 99)),
    (SCHOOLS, -1, (0, 1, 2, 99)),
    ("fhi_kube_testcube1_fixture.csv", -1, (0, 1, 2, 99)),
    (FHI_API, -1, (0, 1, 2, 99)),
]


@pytest.mark.parametrize(
    ("name", "header", "at"),
    [(name, header, at) for name, header, positions in EXTRA_COLUMN for at in positions],
)
def test_file_with_a_column_added_in_a_spreadsheet_is_read_exactly(name, header, at):
    """A «Kommune» column typed into a real file in Excel (first, between the place and
    the values, among the values, last): every figure is read at its own place, period
    and subgroup, none shifted, none lost."""
    undamaged = corruption.observations(real_file(name), name)
    damaged = corruption.insert_column(real_file(name), at, "Kommune", "Solvik", header)
    assert damaged != real_file(name)
    assert corruption.observations(damaged, name) == undamaged


@pytest.mark.parametrize(
    ("at", "column"), [(0, 1), (1, 2), (2, 3), (99, 6)], ids=["first", "second", "third", "last"]
)
def test_ssb_quoted_file_with_a_column_added_is_refused_naming_it(at, column):
    """In the quoted layout every column is labelled: an added one's cells would become a
    subgroup no one published (kommune=Solvik), or a value column without its year."""
    damaged = corruption.insert_column(real_file(QUOTED), at, "Kommune", "Solvik")
    with pytest.raises(FatalImportError, match=rf"Kolonne {column} \(«Kommune»\) på linje 3"):
        corruption.observations(damaged, QUOTED)


def test_ssb_matrix_with_a_column_added_before_the_values_is_refused_naming_it():
    damaged = corruption.insert_column(real_file(KULTURSKOLE), 1, "Kommune", "Solvik", 3)
    with pytest.raises(FatalImportError, match=r"Kolonne 2 \(«Kommune»\) på linje 4"):
        corruption.observations(damaged, KULTURSKOLE)


def test_ssb_matrix_with_a_column_added_among_the_values_names_it_and_reads_the_rest():
    damaged = corruption.insert_column(real_file(KULTURSKOLE), 99, "Kommune", "Solvik", 3)
    result = ssb_csv.parse(damaged, KULTURSKOLE)
    assert [(problem.line, problem.reason) for problem in result.problems] == [
        (4, "Ukjent periode «Kommune».")
    ]
    assert corruption.by_key(result.rows) == corruption.observations(
        real_file(KULTURSKOLE), KULTURSKOLE
    )


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("Herøy", "1515 Herøy (Møre og Romsdal), 1818 Herøy (Nordland)"),
        ("Våler kommune", "3114 Våler (Østfold), 3419 Våler (Innlandet)"),
    ],
)
def test_mapping_step_rejects_a_name_two_municipalities_carry_naming_line_and_candidates(
    name, candidates
):
    """Herøy is a municipality in Møre og Romsdal and in Nordland: a file that names the
    place only is not read as either by guess (nor as a made-up «navn:herøy»)."""
    content = f"Sted;År;Andel\nKragerø;2021;12,5\n{name};2021;13,0\n".encode()
    result = _names_mapped(content)
    assert [row.place_code for row in result.rows] == ["4014"]
    assert [(p.line, p.column, p.value) for p in result.problems] == [(3, "Sted", name)]
    reason = result.problems[0].reason
    assert f"«{name}» er navnet på flere kommuner: {candidates}." in reason
    assert "kommunenummeret" in reason


@pytest.mark.django_db
def test_udir_school_rows_are_linked_to_the_unit_with_that_organisation_number_and_shown(
    cast, client, settings, tmp_path
):
    """Kragerø ungdomsskole (974568098) in Udir's school file is the municipality's own
    unit with that number: its figures land on that unit and show in the indicator's unit
    breakdown; a school none of its units carries the number of is not shown."""
    from indicators.models import Indicator, Place, PlaceLevel
    from plans.models import Unit
    from tests.indicators.test_pages import cells, columns, detail

    settings.MEDIA_ROOT = tmp_path / "media"
    Unit.objects.filter(pk=cast.school.pk).update(organisation_number="974568098")
    batch = imported(real_file(SCHOOLS), SCHOOLS, municipality=cast.municipality)
    assert batch.rows_new

    school = Place.objects.get(level=PlaceLevel.UNIT, code="974568098")
    assert school.unit_id == cast.school.pk
    # Sannidal skole is no unit of Solvik: left out of Solvik's import (tenancy).
    assert not Place.objects.filter(code="974568101").exists()
    indicator = Indicator.objects.get(code="udir-grunnskolepoeng")
    html = detail(client, cast["staff"], indicator)
    assert columns(html, "indicator-units") == ["2020/21", "2021/22"]
    assert cells(html, cast.school.name, "indicator-units") == ["41,5", "40,1"]
    assert "Sannidal skole" not in html
