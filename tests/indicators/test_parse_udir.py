"""The Udir parsers read the real statistikkbank files back cell by cell, and refuse
damaged or hostile Excel files with a Norwegian message."""

import io
import zipfile
from collections import Counter
from decimal import Decimal

import openpyxl
import pytest

from indicators.parsing import udir_csv, udir_xlsx
from indicators.parsing.base import SUPPRESSED, VALUE, FatalImportError
from tests.indicators.conftest import DATA, real_file

MOBBING = "udir_elevundersokelsen_mobbing_vgs_utf16le.csv"
PEDAGOGNORM = "udir_barnehage_pedagognormen_utf16le.csv"
GRUNNSKOLEPOENG = "udir_grunnskolepoeng_export.xlsx"
MOBBING_TOTAL = "udir-67.19.00.11:prosentandel"


def cell(result, *, indicator, code, period, subgroup=""):
    """The one row for a place, period and subgroup (several would be a parser bug)."""
    found = [
        row
        for row in result.rows
        if row.indicator_code == indicator
        and row.place_code == code
        and row.period_label == period
        and row.subgroup == subgroup
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def mobbing():
    return udir_csv.parse(real_file(MOBBING), MOBBING)


@pytest.fixture(scope="module")
def pedagognorm():
    return udir_csv.parse(real_file(PEDAGOGNORM), PEDAGOGNORM)


@pytest.fixture(scope="module")
def grunnskolepoeng():
    return udir_xlsx.parse(real_file(GRUNNSKOLEPOENG), GRUNNSKOLEPOENG)


# --- Elevundersøkelsen: indicators as rows, places and groups in the headers -------------


def test_mobbing_reads_named_cells_back(mobbing):
    country = cell(mobbing, indicator=MOBBING_TOTAL, code="0", period="2020/21")
    assert (country.value, country.status, country.place_level) == (Decimal("3.3"), VALUE, "land")
    assert country.place_name == "Hele landet"
    assert country.indicator_name == "Mobbing på skolen (prosent)"
    assert country.unit_of_measure == "prosent"
    assert (country.period_start.isoformat(), country.period_end.isoformat()) == (
        "2020-08-01",
        "2021-07-31",
    )
    county_girls_vocational = cell(
        mobbing,
        indicator=MOBBING_TOTAL,
        code="38",
        period="2021/22",
        subgroup="kjønn=Jente|utdanningsprogram=Yrkesfaglig",
    )
    assert county_girls_vocational.value == Decimal("5.1")
    assert county_girls_vocational.place_level == "fylke"
    assert county_girls_vocational.place_name == "Vestfold og Telemark"
    by_pupils = cell(
        mobbing,
        indicator="udir-67.10.01.11A:prosentandel",
        code="0",
        period="2020/21",
        subgroup="kjønn=Gutt|utdanningsprogram=Yrkesfaglig",
    )
    assert str(by_pupils.value) == "3.0"  # «3,0» keeps its decimal
    assert by_pupils.line == 4
    digital = cell(
        mobbing,
        indicator="udir-67.17.01.11:prosentandel",
        code="38",
        period="2020/21",
        subgroup="utdanningsprogram=Studieforberedende",
    )
    assert digital.value == Decimal("0.7")


def test_mobbing_has_every_cell_once_and_no_problems(mobbing):
    assert len(mobbing.rows) == 4 * 36
    assert mobbing.problems == []
    assert Counter(row.place_level for row in mobbing.rows) == {"land": 72, "fylke": 72}
    assert {row.indicator_code for row in mobbing.rows} == {
        "udir-67.19.00.11:prosentandel",
        "udir-67.10.01.11A:prosentandel",
        "udir-67.18.01.11:prosentandel",
        "udir-67.17.01.11:prosentandel",
    }
    assert mobbing.format == udir_csv.NAME
    assert mobbing.source_code == "udir"


def test_star_in_a_udir_csv_is_suppressed_with_its_symbol():
    # The two real CSVs have no hidden cell; the same file with one cell hidden as Udir
    # does it.
    text = real_file(MOBBING).decode("utf-16-le")
    hidden = text.replace("\t3,3\t3,7\t", "\t*\t3,7\t", 1)
    assert hidden != text
    result = udir_csv.parse(hidden.encode("utf-16-le"), MOBBING)
    row = cell(result, indicator=MOBBING_TOTAL, code="0", period="2020/21")
    assert (row.status, row.symbol, row.value) == (SUPPRESSED, "*", None)
    assert cell(
        result, indicator=MOBBING_TOTAL, code="0", period="2020/21", subgroup="kjønn=Gutt"
    ).value == Decimal("3.7")


# --- Pedagognormen: places as rows, all four levels ----------------------------------


def test_pedagognorm_reads_named_cells_back(pedagognorm):
    country = cell(pedagognorm, indicator="udir-antall-barnehager", code="0", period="2021")
    assert country.value == Decimal("5525")  # «5 525»
    assert country.unit_of_measure == "antall"
    assert (country.period_start.isoformat(), country.period_end.isoformat()) == (
        "2021-01-01",
        "2021-12-31",
    )
    share = "udir-oppfyller-pedagognormen-andel"
    assert cell(pedagognorm, indicator=share, code="0", period="2021").value == Decimal("70.9")
    county = cell(pedagognorm, indicator=share, code="38", period="2021")
    assert (county.value, county.place_level, county.unit_of_measure) == (
        Decimal("89.6"),
        "fylke",
        "prosent",
    )
    kviteseid = cell(
        pedagognorm,
        indicator="udir-oppfyller-pedagognormen-med-disp-andel",
        code="3821",
        period="2021",
    )
    assert (kviteseid.value, kviteseid.place_level, kviteseid.place_name) == (
        Decimal("66.7"),
        "kommune",
        "Kviteseid",
    )
    kindergarten = cell(pedagognorm, indicator=share, code="975297101", period="2021")
    assert (str(kindergarten.value), kindergarten.place_level, kindergarten.place_name) == (
        "100.0",
        "enhet",
        "Falkåsen barnehage",
    )
    assert kindergarten.column == "2021.Alle eierformer.Oppfyller pedagognormen (andel)"


def test_pedagognorm_keeps_the_measure_with_a_dot_whole(pedagognorm):
    codes = {row.indicator_code for row in pedagognorm.rows}
    assert "udir-oppfyller-pedagognormen-med-disp-antall" in codes
    assert len(codes) == 7


def test_pedagognorm_levels_and_row_count(pedagognorm):
    # 401 places × 7 measures, less the empty cells of kindergartens without figures.
    assert len(pedagognorm.rows) == 2632
    assert pedagognorm.problems == []
    levels = Counter(row.place_level for row in pedagognorm.rows)
    assert levels == {"land": 7, "fylke": 7, "kommune": 161, "enhet": 2457}


# --- Grunnskolepoeng: the Excel export ---------------------------------------------------


def test_grunnskolepoeng_reads_named_cells_back(grunnskolepoeng):
    points, pupils = "udir-grunnskolepoeng", "udir-antall-elever"
    country = cell(grunnskolepoeng, indicator=points, code="0", period="2020/21")
    assert (country.value, country.unit_of_measure) == (Decimal("43.3"), "poeng")
    assert cell(grunnskolepoeng, indicator=pupils, code="0", period="2020/21").value == 58945
    asker = cell(grunnskolepoeng, indicator=points, code="0220", period="2015/16")
    assert (asker.value, asker.place_level, asker.place_name, asker.line) == (
        Decimal("42.9"),
        "kommune",
        "Asker",
        98,
    )
    agder = cell(grunnskolepoeng, indicator=pupils, code="42", period="2019/20")
    assert (agder.value, agder.place_level) == (Decimal("3554"), "fylke")
    school = cell(grunnskolepoeng, indicator=points, code="975280888", period="2016/17")
    assert (school.value, school.place_name) == (Decimal("39.4"), "Asdal skole")


def test_grunnskolepoeng_star_is_suppressed(grunnskolepoeng):
    hidden = cell(
        grunnskolepoeng, indicator="udir-grunnskolepoeng", code="975283275", period="2015/16"
    )
    assert (hidden.status, hidden.symbol, hidden.value) == (SUPPRESSED, "*", None)
    assert hidden.place_name == "Engesland skole"
    assert Counter(row.status for row in grunnskolepoeng.rows)[SUPPRESSED] == 2562


def test_grunnskolepoeng_float_noise_is_rounded_to_one_decimal(grunnskolepoeng):
    with zipfile.ZipFile(DATA / GRUNNSKOLEPOENG) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # Asdal skole, 2015-16: Excel stores the binary float, Udir shows 39,3.
    assert '<c r="J5"><v>39.299999999999997</v></c>' in sheet
    asdal = cell(
        grunnskolepoeng, indicator="udir-grunnskolepoeng", code="975280888", period="2015/16"
    )
    assert str(asdal.value) == "39.3"
    assert asdal.line == 5
    # A whole number of points is shown with its decimal; a count stays whole.
    assert '<c r="U2"><v>42</v></c>' in sheet
    assert (
        str(
            cell(
                grunnskolepoeng, indicator="udir-grunnskolepoeng", code="0", period="2018/19"
            ).value
        )
        == "42.0"
    )
    assert (
        str(cell(grunnskolepoeng, indicator="udir-antall-elever", code="0", period="2018/19").value)
        == "58750"
    )
    decimals = {
        -row.value.as_tuple().exponent
        for row in grunnskolepoeng.rows
        if row.status == VALUE and row.indicator_code == "udir-grunnskolepoeng"
    }
    assert decimals == {1}


def test_float_noise_beyond_the_shortest_float_is_rounded_too():
    result = udir_xlsx.parse(
        _workbook(
            [
                [
                    "EnhetNivaa",
                    "Kommunekode",
                    "EnhetNavn",
                    "2020-21.Begge kjønn.Grunnskolepoeng",
                    "2020-21.Begge kjønn.Antall elever",
                ],
                [3, 301, "Oslo", 41.299999, 60679.0000001],
                [3, 3236, "Jevnaker", "40,7", "*"],
            ]
        ),
        "eksport.xlsx",
    )
    assert result.problems == []
    oslo = cell(result, indicator="udir-grunnskolepoeng", code="0301", period="2020/21")
    assert str(oslo.value) == "41.3"
    assert (
        str(cell(result, indicator="udir-antall-elever", code="0301", period="2020/21").value)
        == "60679"
    )
    assert cell(
        result, indicator="udir-grunnskolepoeng", code="3236", period="2020/21"
    ).value == Decimal("40.7")


def test_break_columns_give_no_rows(grunnskolepoeng):
    assert not [row for row in grunnskolepoeng.rows if "Brudd" in row.column]
    # 2019-20 has a note column beside each of its two value columns: two rows, not four.
    country = [
        row
        for row in grunnskolepoeng.rows
        if row.place_code == "0" and row.period_label == "2019/20"
    ]
    assert sorted((row.indicator_code, row.value) for row in country) == [
        ("udir-antall-elever", Decimal("59245")),
        ("udir-grunnskolepoeng", Decimal("43.2")),
    ]


def test_grunnskolepoeng_levels_codes_and_row_count(grunnskolepoeng):
    assert grunnskolepoeng.problems == []
    # Every filled value cell once: schools listed under both their old and their new
    # municipality (Arendal 0906 and 4203) are one place, their org number.
    assert len(grunnskolepoeng.rows) == 20004
    assert Counter(row.place_level for row in grunnskolepoeng.rows) == {
        "land": 12,
        "fylke": 192,
        "kommune": 6602,
        "enhet": 13198,
    }
    codes = {(row.place_level, row.place_code) for row in grunnskolepoeng.rows}
    assert {("fylke", "02"), ("fylke", "09"), ("kommune", "0220"), ("kommune", "0906")} <= codes
    assert {("fylke", "2"), ("kommune", "220")}.isdisjoint(codes)
    widths = {
        level: {len(code) for lvl, code in codes if lvl == level}
        for level in ("fylke", "kommune", "enhet")
    }
    assert widths == {"fylke": {2}, "kommune": {4}, "enhet": {9}}


def test_a_csv_with_all_levels_breaks_and_stars_pads_codes():
    header = [
        *["EnhetNivaa", "Nasjonaltkode", "Fylkekode", "Kommunekode", "Organisasjonsnummer"],
        *["Nasjonalt", "Fylke", "Kommune", "EnhetNavn"],
        "2022-23.Alle eierformer.10. trinn.Begge kjønn.Snitt.Brudd",
        "2022-23.Alle eierformer.10. trinn.Begge kjønn.Snitt",
        "2022-23.Alle eierformer.10. trinn.Jente.Snitt",
    ]
    # Cells separated by «|» here, by tabs in the file.
    rows = [
        "1|I||||Hele landet|Alle fylker|Alle kommuner|Hele landet||50,1|50,4",
        "2|I|3||3|Hele landet|Oslo|Alle kommuner|Oslo|Ny skala|54,0|*",
        "3|I|3|301|301|Hele landet|Oslo|Oslo|Oslo||1 054,0|abc",
        "4|I|3|301|974589095|Hele landet|Oslo|Oslo|Bjølsen skole|Brudd||49,9",
    ]
    lines = ["\t".join(header), *(row.replace("|", "\t") for row in rows)]
    text = "sep=\t\n" + "\r\n".join(lines) + "\r\n"
    result = udir_csv.parse(text.encode("utf-16-le"), "20230101-1200_Nasjonale_prover.csv")
    found = {(row.place_level, row.place_code, row.subgroup): row for row in result.rows}
    assert set(found) == {
        ("land", "0", "trinn=10. trinn"),
        ("land", "0", "kjønn=Jente|trinn=10. trinn"),
        ("fylke", "03", "trinn=10. trinn"),
        ("fylke", "03", "kjønn=Jente|trinn=10. trinn"),
        ("kommune", "0301", "trinn=10. trinn"),
        ("enhet", "974589095", "kjønn=Jente|trinn=10. trinn"),
    }
    assert found[("kommune", "0301", "trinn=10. trinn")].value == Decimal("1054.0")
    star = found[("fylke", "03", "kjønn=Jente|trinn=10. trinn")]
    assert (star.status, star.symbol) == (SUPPRESSED, "*")
    assert {row.indicator_code for row in result.rows} == {"udir-snitt"}
    # The bad cell is a problem with its line and column, not a fatal error.
    assert [(p.line, p.column, p.value) for p in result.problems] == [
        (5, "2022-23.Alle eierformer.10. trinn.Jente.Snitt", "abc")
    ]
    assert "ikke et tall" in result.problems[0].reason


def test_places_in_headers_follow_the_county_reform_and_need_a_number():
    header = [
        *["IndikatorNivaa", "Indikatorkode", "Indikatornavn"],
        "2018-19.Hele landet.Telemark.Alle skoler.Begge kjønn.Prosentandel",
        "2024-25.Hele landet.Telemark.Alle skoler.Begge kjønn.Prosentandel",
        "2024-25.Hele landet.Telemark.Skien videregående skole.Begge kjønn.Prosentandel",
    ]
    row = ["1", "67.19.00.11", "Mobbing på skolen (prosent)", "4,1", "5,2", "6,3"]
    text = "sep=\t\n" + "\t".join(header) + "\n" + "\t".join(row) + "\n"
    result = udir_csv.parse(text.encode("utf-16-le"), "mobbing.csv")
    assert [(r.place_code, r.period_label, r.value) for r in result.rows] == [
        ("08", "2018/19", Decimal("4.1")),
        ("40", "2024/25", Decimal("5.2")),
    ]
    [problem] = result.problems
    assert problem.column == header[-1]
    assert "«Skien videregående skole»" in problem.reason


def test_the_same_cell_twice_with_different_values_is_a_problem():
    header = [
        "EnhetNivaa",
        "Kommunekode",
        "Organisasjonsnummer",
        "EnhetNavn",
        "2021.Antall barnehager",
    ]
    lines = [
        header,
        ["4", "3813", "975297101", "Falkåsen", "1"],
        ["4", "0814", "975297101", "Falkåsen", "2"],
    ]
    text = "sep=\t\n" + "\n".join("\t".join(line) for line in lines)
    result = udir_csv.parse(text.encode("utf-16-le"), "x.csv")
    assert [row.value for row in result.rows] == [Decimal("1")]
    assert [(p.line, p.value) for p in result.problems] == [(4, "2")]


# --- Hostile and broken files ------------------------------------------------------------


def _workbook(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "20230101-1200_Grunnskolepoeng"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


def _zip_bomb(path, megabytes: int) -> bytes:
    """An .xlsx-looking zip whose sheet unpacks to ``megabytes`` MB of zeros, written in
    chunks so neither memory nor disk holds the unpacked size."""
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(megabytes):
                member.write(chunk)
    return path.read_bytes()


def test_zip_bomb_is_refused_before_unpacking(tmp_path):
    bomb = _zip_bomb(tmp_path / "bomb.xlsx", 200)
    assert len(bomb) < 2 * 1024 * 1024
    assert udir_xlsx.sniff(bomb, "bomb.xlsx")  # claimed, so the user hears why
    with pytest.raises(FatalImportError, match=r"^Excel-filen er for stor utpakket \(200 MB"):
        udir_xlsx.parse(bomb, "bomb.xlsx")


def test_a_member_packed_too_hard_is_refused_under_the_total_limit(tmp_path):
    bomb = _zip_bomb(tmp_path / "tett.xlsx", 20)
    with pytest.raises(
        FatalImportError, match=r"for stor utpakket: «xl/worksheets/sheet1\.xml» blir"
    ):
        udir_xlsx.parse(bomb, "tett.xlsx")


def test_truncated_xlsx_is_a_fatal_error():
    content = real_file(GRUNNSKOLEPOENG)
    cut = content[: len(content) // 2]
    assert udir_xlsx.sniff(cut, GRUNNSKOLEPOENG)
    with pytest.raises(FatalImportError, match="Excel-filen er skadet eller ufullstendig"):
        udir_xlsx.parse(cut, GRUNNSKOLEPOENG)


def test_broken_sheet_xml_inside_a_sound_zip_is_a_fatal_error():
    rebuilt = io.BytesIO()
    with (
        zipfile.ZipFile(DATA / GRUNNSKOLEPOENG) as original,
        zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for member in original.infolist():
            data = original.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 3]  # cut inside a row
            copy.writestr(member, data)
    with pytest.raises(FatalImportError, match=r"^Excel-filen er skadet"):
        udir_xlsx.parse(rebuilt.getvalue(), GRUNNSKOLEPOENG)


def test_not_a_spreadsheet_is_a_fatal_error():
    with pytest.raises(FatalImportError, match=r"ikke en Excel-fil \(\.xlsx\)"):
        udir_xlsx.parse(b"EnhetNivaa\t2021.Antall\n", "tabell.xlsx")
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hei")
    assert not udir_xlsx.sniff(other_zip.getvalue(), "pakke.zip")
    with pytest.raises(FatalImportError, match=r"zip-fil, men ikke en Excel-fil"):
        udir_xlsx.parse(other_zip.getvalue(), "pakke.xlsx")


def test_a_workbook_without_a_udir_table_is_a_fatal_error():
    content = _workbook([["Kommune", "År", "Verdi"], ["Horten", 2021, 3]])
    assert not udir_xlsx.sniff(content, "egen.xlsx")
    with pytest.raises(FatalImportError, match="Fant ingen arkfane med en tabell fra Udirs"):
        udir_xlsx.parse(content, "egen.xlsx")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen er tom"),
        (
            "sep=\t\nEnhetNivaa\tKommunekode\tVerdi\n".encode("utf-16-le"),
            "Fant ingen kolonner med tall fra Udir",
        ),
        (
            "sep=\t\nEnhetNivaa\tKommunekode\t2021.Antall\n".encode("utf-16-le"),
            "ingen rader med tall",
        ),
    ],
)
def test_csv_fatal_errors_are_norwegian(content, message):
    with pytest.raises(FatalImportError, match=message):
        udir_csv.parse(content, "udir.csv")


# --- Sniffing -----------------------------------------------------------------------------


SCHOOLS = "udir_grunnskolepoeng_skoler_utlandet_utf16le.csv"  # built, see data/README.md


def test_sniff_recognises_the_udir_files_and_nothing_else():
    others = sorted(
        path.name for path in DATA.iterdir() if path.suffix in {".csv", ".json", ".xlsx"}
    )
    assert len(others) == 11
    for name in others:
        content = real_file(name)
        assert udir_csv.sniff(content, name) is (name in {MOBBING, PEDAGOGNORM, SCHOOLS}), name
        assert udir_xlsx.sniff(content, name) is (name == GRUNNSKOLEPOENG), name


def test_sniff_reads_only_the_head_of_a_big_csv():
    content = real_file(PEDAGOGNORM)
    padded = content + "\t".join(["4"] + ["x"] * 15).encode("utf-16-le") * 20_000
    assert len(padded) > 1_000_000
    assert udir_csv.sniff(padded, PEDAGOGNORM)
