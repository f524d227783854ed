"""The FHI, Ungdata, portal-template and mapping parsers read the real files (and the
documented example files) cell by cell: a named place, period and subgroup give the
exact number the file holds, and a symbol gives its status with the symbol kept."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest

from indicators import parsing
from indicators.parsing import (
    base,
    fhi_api,
    fhi_cube,
    mapped,
    portal_template,
    ungdata_table,
)
from tests.indicators.conftest import DATA, real_file

CUBE = "fhi_kube_testcube1_fixture.csv"
API = "fhi_api_ungdata_psykiske_plager_vtfk_flattened.csv"
UNGDATA_YEARS = "ungdata_vtfk_handmade_fysisk_aktivitet.csv"
UNGDATA_MEASURES = "ungdata_vtfk_handmade_trening_utf8bom_semicolon.csv"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TEMPLATE_EXAMPLE = FIXTURES / "indikatorer_mal_eksempel.csv"
BAROMETER_EXAMPLE = FIXTURES / "kommunebarometeret_eksempel.csv"
REAL_FILES = sorted(path.name for path in DATA.iterdir() if path.name != "README.md")
VTFK = ("fylke", "38", "Vestfold og Telemark")


def cell(result, place_code, period, subgroup="", code=None):
    matches = [
        row
        for row in result.rows
        if row.place_code == place_code
        and row.period_label == period
        and row.subgroup == subgroup
        and (code is None or row.indicator_code == code)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def state(row):
    return row.value, row.status, row.symbol


# --- Detection ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parser", "own"),
    [
        (fhi_cube, {CUBE}),
        (fhi_api, {API}),
        (ungdata_table, {UNGDATA_YEARS, UNGDATA_MEASURES}),
        (portal_template, set()),
    ],
)
def test_sniff_claims_its_own_real_files_and_none_of_the_others(parser, own):
    claimed = {name for name in REAL_FILES if parser.sniff(real_file(name), name)}
    assert claimed == own


@pytest.mark.parametrize(
    ("path", "parser"),
    [
        (DATA / CUBE, fhi_cube),
        (DATA / API, fhi_api),
        (DATA / UNGDATA_YEARS, ungdata_table),
        (DATA / UNGDATA_MEASURES, ungdata_table),
        (TEMPLATE_EXAMPLE, portal_template),
        (BAROMETER_EXAMPLE, portal_template),
    ],
)
def test_detect_picks_the_right_parser_among_all_of_them(path, parser):
    assert parsing.detect(path.read_bytes(), path.name) is parser


# --- FHI cube -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cube():
    return fhi_cube.parse(real_file(CUBE), CUBE)


def test_cube_reads_the_country_total_exactly(cube):
    rate = cell(cube, "0", "2024", code="fhi-fhi_kube_testcube1_fixture:RATE")
    assert state(rate) == (Decimal("1"), base.VALUE, "")
    assert (rate.place_level, rate.place_name) == (base.COUNTRY, "Hele landet")
    assert (rate.period_start, rate.period_end) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )
    assert not cube.problems


def test_cube_one_indicator_per_published_measure_never_the_unsuppressed_ones(cube):
    codes = {row.indicator_code.split(":")[1] for row in cube.rows}
    assert codes == {"TELLER", "RATE", "SMR", "sumTELLER", "sumNEVNER"}
    assert len(cube.rows) == 4 * 5


def test_cube_geo_without_leading_zero_and_flags(cube):
    # 46;…;SPVFLAGG 1 → «..» missing, the county Vestland
    county = cell(
        cube,
        "46",
        "2024",
        "alder=15–24 år|innvandring=1|kjønn=Menn|utdanning=1",
        "fhi-fhi_kube_testcube1_fixture:TELLER",
    )
    assert (county.place_level, county.place_name) == (base.COUNTY, "Vestland")
    assert state(county) == (None, base.MISSING, "..")
    # 301 is Oslo, 0301; SPVFLAGG 2 → «.» not computable
    oslo = cell(
        cube,
        "0301",
        "2024",
        "alder=0–15 år|innvandring=2|kjønn=Kvinner|utdanning=2",
        "fhi-fhi_kube_testcube1_fixture:RATE",
    )
    assert oslo.place_level == base.MUNICIPALITY
    assert state(oslo) == (None, base.NOT_COMPUTABLE, ".")


def test_cube_spvflagg_3_is_suppressed_even_though_the_file_holds_numbers(cube):
    # 1504;2024_2024;0;45_65;3;3;4;4;4;4;4;4;3;4
    rows = [row for row in cube.rows if row.place_code == "1504"]
    assert len(rows) == 5
    assert {state(row) for row in rows} == {(None, base.SUPPRESSED, ":")}
    assert rows[0].subgroup == "alder=45–65 år|innvandring=3|utdanning=3"


def test_cube_span_period_is_stored_with_an_en_dash():
    content = real_file(CUBE).replace(b"0;2024_2024;", b"0;2019_2021;", 1)
    result = fhi_cube.parse(content, CUBE)
    row = cell(result, "0", "2019–2021", code="fhi-fhi_kube_testcube1_fixture:SMR")
    assert (row.period_start, row.period_end) == (
        datetime.date(2019, 1, 1),
        datetime.date(2021, 12, 31),
    )
    assert row.value == Decimal("1")


def test_cube_districts_and_unknown_flags_are_problems_with_line_and_column():
    content = real_file(CUBE).replace(b"\n301;", b"\n30101;").replace(b";3;4\r\n", b";7;4\r\n")
    content = content.replace(b";3;4\n", b";7;4\n")
    result = fhi_cube.parse(content, CUBE)
    problems = {(p.line, p.column, p.value) for p in result.problems}
    assert problems == {(4, "GEO", "30101"), (5, "SPVFLAGG", "7")}
    assert all(p.reason for p in result.problems)
    assert {row.place_code for row in result.rows} == {"0", "46"}


# --- FHI API (Ungdata through FHI) ----------------------------------------------------


@pytest.fixture(scope="module")
def api():
    return fhi_api.parse(real_file(API), API)


def test_api_reads_country_and_county_values_exactly(api):
    assert not api.problems
    assert len(api.rows) == 570
    country = cell(api, "0", "2016")
    assert country.value == Decimal("11.5154042054495")
    assert country.unit_of_measure == "prosent"
    assert cell(api, "0", "2016", "kjønn=Gutter").value == Decimal("5.08093116304447")
    telemark = cell(api, "40", "2021", "kjønn=Jenter")  # «Telemark» is today's county 40
    assert (telemark.place_level, telemark.value) == (base.COUNTY, Decimal("23.9237541807443"))


def test_api_constant_dimensions_describe_the_indicator_not_the_subgroup(api):
    assert {row.subgroup for row in api.rows} == {"", "kjønn=Gutter", "kjønn=Jenter"}
    assert {row.indicator_code for row in api.rows} == {
        "fhi-api-ungdata-psykiske-plager-vtfk-flattened"
    }
    assert api.rows[0].indicator_name.endswith(
        "(8-10.trinn, plaget, Total SØR, andel (prosent, standardisert))"
    )


def test_api_colon_is_suppressed_while_the_total_is_a_value(api):
    # Siljan,2018: kjønn samlet 22.570156258671, gutter «:», jenter «:»
    total = cell(api, "4010", "2018")
    assert state(total) == (Decimal("22.570156258671"), base.VALUE, "")
    assert state(cell(api, "4010", "2018", "kjønn=Gutter")) == (
        None,
        base.SUPPRESSED,
        ":",
    )
    assert state(cell(api, "4010", "2018", "kjønn=Jenter"))[1:] == (base.SUPPRESSED, ":")


def test_api_dot_for_a_year_without_survey_is_not_computable(api):
    # Telemark,2022,…,.  (FHI's legend: «.» = lar seg ikke beregne)
    assert state(cell(api, "40", "2022")) == (None, base.NOT_COMPUTABLE, ".")


def test_api_municipality_names_get_the_reform_table_s_codes_or_the_service_s_codes(api):
    porsgrunn = cell(api, "4001", "2018")  # the reform table knows Porsgrunn (3806 → 4001)
    assert (porsgrunn.place_level, porsgrunn.place_name) == (base.MUNICIPALITY, "Porsgrunn")
    assert porsgrunn.value == Decimal("16.3409262848072")
    with_codes = fhi_api.parse(real_file(API), API, place_codes={"porsgrunn": ("kommune", "4001")})
    assert cell(with_codes, "4001", "2018").value == Decimal("16.3409262848072")


# --- Ungdata report tables ------------------------------------------------------------


def test_ungdata_without_place_gives_a_norwegian_problem_and_no_rows():
    result = ungdata_table.parse(real_file(UNGDATA_YEARS), UNGDATA_YEARS)
    assert result.rows == []
    [problem] = result.problems
    assert "hvilket sted" in problem.reason
    assert "kartleggingssteget" in problem.reason


def test_ungdata_years_as_columns_read_back_with_the_place_passed_in():
    result = ungdata_table.parse(real_file(UNGDATA_YEARS), UNGDATA_YEARS, place=VTFK)
    assert not result.problems
    first = cell(result, "38", "2017–2018", "trinn=8. trinn")
    assert first.value == Decimal("62")
    assert (first.period_start, first.period_end) == (
        datetime.date(2017, 1, 1),
        datetime.date(2018, 12, 31),
    )
    assert cell(result, "38", "2021", "trinn=Vg3").value == Decimal("51")
    assert cell(result, "38", "2021", "trinn=10. trinn").value == Decimal("60")


def test_ungdata_blank_cell_is_missing():
    result = ungdata_table.parse(real_file(UNGDATA_YEARS), UNGDATA_YEARS, place=VTFK)
    # «Vg2,,50»: Vg2 was not surveyed in 2017/2018
    assert state(cell(result, "38", "2017–2018", "trinn=Vg2")) == (None, base.MISSING, "")
    assert cell(result, "38", "2021", "trinn=Vg2").value == Decimal("50")


def test_ungdata_measures_as_columns_need_the_year_too():
    result = ungdata_table.parse(real_file(UNGDATA_MEASURES), UNGDATA_MEASURES, place=VTFK)
    assert result.rows == []
    assert "hvilket år" in result.problems[0].reason


def test_ungdata_measures_as_columns_one_indicator_each():
    result = ungdata_table.parse(
        real_file(UNGDATA_MEASURES), UNGDATA_MEASURES, place=VTFK, period="2021"
    )
    assert not result.problems
    gym = cell(result, "38", "2021", "trinn=10. trinn", "ungdata:trener-pa-treningsstudio")
    assert (gym.value, gym.indicator_name) == (Decimal("34"), "Trener på treningsstudio")
    other = cell(
        result,
        "38",
        "2021",
        "trinn=Vg3",
        "ungdata:driver-med-annen-organisert-trening-dans-kampsport-el",
    )
    assert other.value == Decimal("8")
    assert len({row.indicator_code for row in result.rows}) == 4
    assert len(result.rows) == 6 * 4


# --- The portal's template ------------------------------------------------------------


@pytest.fixture(scope="module")
def template():
    return portal_template.parse(TEMPLATE_EXAMPLE.read_bytes(), TEMPLATE_EXAMPLE.name)


def test_template_example_round_trips_every_number_exactly(template):
    assert not template.problems
    assert template.source_code == "lokal"
    lines = list(csv.DictReader(io.StringIO(TEMPLATE_EXAMPLE.read_text("utf-8")), delimiter=";"))
    assert len(template.rows) == len(lines)
    for row, line in zip(template.rows, lines, strict=True):
        assert row.indicator_code == line["indikatorkode"]
        text = line["verdi"].replace(" ", "").replace(",", ".")
        if row.status == base.VALUE and text != "-":
            assert row.value == Decimal(text)
            assert str(row.value) == text  # «44,0» stays 44.0, «12 345» is 12345


def test_template_example_specific_cells(template):
    girls = cell(template, "9901", "2023/24", "kjønn=Jenter", "solvik-trivsel")
    assert (girls.value, girls.unit_of_measure, girls.place_name) == (
        Decimal("89.1"),
        "prosent",
        "Solvik",
    )
    assert (girls.period_start, girls.period_end) == (
        datetime.date(2023, 8, 1),
        datetime.date(2024, 7, 31),
    )
    hidden = cell(template, "9901", "2023/24", "kjønn=Gutter|trinn=7. trinn", "solvik-trivsel")
    assert state(hidden) == (None, base.SUPPRESSED, "")
    school = cell(template, "SOLVIK-UNGDOMSSKOLE", "2023/24")
    assert (school.place_level, *state(school)) == (base.UNIT, None, base.SUPPRESSED, ":")
    span = cell(template, "9901", "2022–2024", code="solvik-fritidsklubb")
    assert span.value == Decimal("12345")
    assert state(cell(template, "9901", "2021", code="solvik-fritidsklubb")) == (
        Decimal("0"),
        base.VALUE,
        "-",
    )
    assert state(cell(template, "SOLVIK-HAVBAKKEN-BHG", "2024")) == (
        None,
        base.NOT_COMPUTABLE,
        ".",
    )


def test_template_reads_windows_1252_and_commas():
    text = (
        "Indikatorkode,Stedsniva,Stedskode,Periode,Undergruppe,Verdi\n"
        'lokal-x,fylke,3,2020/21,kjønn=Jenter,"37,3 %"\n'
    )
    result = portal_template.parse(text.encode("cp1252"), "mal.csv")
    assert not result.problems
    [row] = result.rows
    assert (row.place_level, row.place_code, row.place_name) == (base.COUNTY, "03", "Oslo")
    assert (row.period_label, row.subgroup, row.value) == (
        "2020/21",
        "kjønn=Jenter",
        Decimal("37.3"),
    )


HEADER = (
    "kilde;indikatorkode;indikator;stedsnivå;stedskode;sted;periode;undergruppe;verdi;status;enhet"
)
BAD_TEMPLATE = f"""{HEADER}
lokal;solvik-x;X;bydel;030101;Gamle Oslo;2024;;12;;prosent
lokal;solvik-x;X;kommune;9901;Solvik;2024;;ca. 40;;prosent
lokal;solvik-x;X;kommune;9901;Solvik;2023;;5,0;skjult;prosent
lokal;solvik-x;X;kommune;9901;Solvik;2022;;41,5;;prosent
lokal;solvik-x;X;kommune;99011;Solvik;2021;;41,5;;prosent
lokal;solvik-x;X;kommune;9901;Solvik;høst 2020;;41,5;;prosent
lokal;solvik-x;X;kommune;9901;Solvik;2019;Jenter;41,5;;prosent
lokal;solvik-x;X;kommune;9901;Solvik;2022;;41,5;;prosent
"""


def test_template_errors_are_problems_with_line_column_value_and_norwegian_reason():
    result = portal_template.parse(BAD_TEMPLATE.encode(), "mal.csv")
    found = {(p.line, p.column, p.value): p.reason for p in result.problems}
    assert set(found) == {
        (2, "stedsnivå", "bydel"),
        (3, "verdi", "ca. 40"),
        (4, "status", "skjult"),
        (6, "stedskode", "99011"),
        (7, "periode", "høst 2020"),
        (8, "undergruppe", "Jenter"),
        (9, "", ""),
    }
    assert "Ukjent stedsnivå" in found[(2, "stedsnivå", "bydel")]
    assert "ikke et tall" in found[(3, "verdi", "ca. 40")]
    assert "kan ikke ha et tall" in found[(4, "status", "skjult")]
    assert "fire siffer" in found[(6, "stedskode", "99011")]
    assert "linje 5" in found[(9, "", "")]
    [good] = result.rows
    assert (good.line, good.period_label, good.value) == (5, "2022", Decimal("41.5"))


def test_template_missing_required_column_is_reported_on_the_header_line():
    text = BAD_TEMPLATE.replace(";periode;", ";tidspunkt;", 1)
    result = portal_template.parse(text.encode(), "mal.csv")
    assert result.rows == []
    [problem] = result.problems
    assert (problem.line, problem.column, problem.value) == (1, "periode", "")
    assert "mangler" in problem.reason


def test_template_one_source_per_file():
    text = (
        "kilde;indikatorkode;stedskode;periode;verdi\n"
        "ssb;a;0301;2024;1\n"
        "udir;a;0301;2023;2\n"
        "statistikkbyrået;a;0301;2022;3\n"
    )
    result = portal_template.parse(text.encode(), "mal.csv")
    assert result.source_code == "ssb"
    assert [(p.line, p.column, p.value) for p in result.problems] == [
        (3, "kilde", "udir"),
        (4, "kilde", "statistikkbyrået"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "tom"),
        (b"\x00\x01\x02binary\x00", "binære"),
        (HEADER.encode() + b"\n", "ingen rader"),
        (HEADER.encode() + b'\nlokal;"' + b"x" * 200_000 + b'";X\n', "CSV"),
    ],
)
def test_template_file_level_failures_raise_with_a_norwegian_message(content, message):
    with pytest.raises(base.FatalImportError, match=message):
        portal_template.parse(content, "mal.csv")


# --- Kommunebarometeret ---------------------------------------------------------------


@pytest.fixture(scope="module")
def barometer():
    return portal_template.parse(BAROMETER_EXAMPLE.read_bytes(), BAROMETER_EXAMPLE.name)


def test_barometer_value_grade_and_rank_are_three_indicators(barometer):
    assert not barometer.problems
    assert barometer.source_code == "kommunebarometeret"
    code = "grunnskole:grunnskolepoeng"
    assert cell(barometer, "9901", "2024", code=code).value == Decimal("41.2")
    assert cell(barometer, "9901", "2024", code=f"{code}:karakter").value == Decimal("4.1")
    rank = cell(barometer, "9901", "2024", code=f"{code}:plassering")
    assert (rank.value, rank.unit_of_measure) == (Decimal("112"), "plass")
    assert cell(barometer, "9901", "2023", code=code).value == Decimal("40.8")
    teachers = cell(
        barometer, "9901", "2024", code="barnehage:andel-ansatte-som-er-barnehagelaerere"
    )
    assert str(teachers.value) == "44.0"
    assert teachers.indicator_name == "Barnehage: Andel ansatte som er barnehagelærere"


def test_barometer_round_trips_every_number(barometer):
    lines = list(csv.DictReader(io.StringIO(BAROMETER_EXAMPLE.read_text("utf-8")), delimiter=";"))
    by_line = {}
    for row in barometer.rows:
        by_line.setdefault(row.line, {})[row.column] = row
    for number, line in enumerate(lines, start=2):
        for column in ("verdi", "karakter", "plassering"):
            text = line[column].replace(",", ".")
            parsed = by_line[number][column]
            assert parsed.value == (Decimal(text) if text else None)
            assert parsed.status == (base.VALUE if text else base.MISSING)


# --- The mapping step ------------------------------------------------------------------

MADE_UP = """Rapport fra Solvik kommune;;;;;
Kommunenr;Kommunenavn;Skoleår;Kjønn;Trinn;Andel (%)
301;Oslo;2020-21;Jenter;5;45,5
9901;Solvik;2020-21;Jenter;5;*
9901;Solvik;2020-21;Gutter;5;38,25
9901;Solvik;2019-2021;Gutter;5;-
9901;Solvik;2020-21;Gutter;5;39
9901;Solvik;i fjor;Gutter;6;12
"""
MAPPING = {
    "place_code": "Kommunenr",
    "place_name": "Kommunenavn",
    "period": "Skoleår",
    "value": "Andel (%)",
    "subgroup": ["Kjønn", "Trinn"],
    "place_level": "kommune",
}


def test_mapping_reads_a_made_up_layout():
    result = mapped.parse_with_mapping(
        MADE_UP.encode("cp1252"),
        "rapport.csv",
        columns=MAPPING,
        source_code="lokal",
        indicator_code="solvik-andel",
        indicator_name="Andel",
    )
    oslo = cell(result, "0301", "2020/21", "kjønn=Jenter|trinn=5")
    assert (oslo.value, oslo.place_name, oslo.line) == (Decimal("45.5"), "Oslo", 3)
    assert oslo.indicator_code == "solvik-andel"
    assert state(cell(result, "9901", "2020/21", "kjønn=Jenter|trinn=5")) == (
        None,
        base.SUPPRESSED,
        "*",
    )
    assert cell(result, "9901", "2020/21", "kjønn=Gutter|trinn=5").value == Decimal("38.25")
    assert cell(result, "9901", "2019–2021", "kjønn=Gutter|trinn=5").value == Decimal("0")
    problems = [(p.line, p.column, p.value) for p in result.problems]
    assert problems == [(7, "", ""), (8, "Skoleår", "i fjor")]
    assert "undergruppe" in result.problems[0].reason


def test_mapping_an_unknown_column_is_fatal():
    with pytest.raises(base.FatalImportError, match="finnes ikke"):
        mapped.parse_with_mapping(
            MADE_UP.encode(),
            "rapport.csv",
            columns={**MAPPING, "value": "Verdi"},
            source_code="lokal",
            indicator_code="x",
            indicator_name="X",
        )


def _workbook(header, rows, number_format="0.0"):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
        sheet.cell(row=sheet.max_row, column=len(values)).number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_mapping_reads_xlsx_and_rounds_float_noise_to_the_shown_decimals():
    content = _workbook(
        ["Kommunenr", "År", "Verdi"], [[3801, 2021, 37.299999999], [3801, 2022, 40]]
    )
    result = mapped.parse_with_mapping(
        content,
        "tall.xlsx",
        columns={"place_code": "Kommunenr", "period": "År", "value": "Verdi"},
        source_code="lokal",
        indicator_code="x",
        indicator_name="X",
    )
    assert not result.problems
    assert str(cell(result, "3801", "2021").value) == "37.3"
    assert cell(result, "3801", "2022").value == Decimal("40.0")


def test_header_signature_is_the_same_for_the_same_columns_whatever_the_file_type():
    csv_content = "\ufeffKOMMUNENR ; år;verdi\n3801;2021;1\n".encode()
    xlsx_content = _workbook(["Kommunenr", "År", "Verdi"], [[3801, 2021, 1]])
    assert mapped.headers(xlsx_content, "a.xlsx") == ["Kommunenr", "År", "Verdi"]
    assert mapped.headers(csv_content, "a.csv") == ["KOMMUNENR", "år", "verdi"]
    signature = mapped.header_signature(csv_content, "a.csv")
    assert len(signature) == 64
    assert signature == mapped.header_signature(xlsx_content, "a.xlsx")
    other = "Kommunenr;År;Verdi;Merknad\n3801;2021;1;\n".encode()
    assert mapped.header_signature(other, "b.csv") != signature


def test_header_signature_skips_title_and_sep_lines_of_the_real_files():
    kostra = "ssb_kostra_13135_kulturskole_latin1.csv"
    assert mapped.headers(real_file(kostra), kostra) == [
        "",
        "2015",
        "2016",
        "2017",
        "2018",
        "2019",
        "2020",
    ]
    udir = "udir_barnehage_pedagognormen_utf16le.csv"
    assert mapped.headers(real_file(udir), udir)[:3] == [
        "BarnehageenhetNivaa",
        "Nasjonaltkode",
        "Fylkekode",
    ]
