"""The SSB parsers read the real statbank CSV downloads and JSON-stat responses cell by
cell: a named place, period and variable give the exact number the file holds."""

import datetime
import json
from decimal import Decimal

import pytest

from indicators.parsing import base, jsonstat, ssb_csv
from tests.indicators.conftest import DATA, real_file

KOSTRA = "ssb_kostra_13135_kulturskole_latin1.csv"
QUOTED = "ssb_11616_quoted_latin1.csv"
JSONSTAT2 = "ssb_jsonstat2_05300_status.json"
OTHER_FILES = sorted(path.name for path in DATA.iterdir() if path.name != "README.md")


def cell(result, place_code, period, code=None, subgroup=""):
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


# --- SSB statbank CSV, matrix layout (KOSTRA 13135) ----------------------------------


@pytest.fixture(scope="module")
def kostra():
    return ssb_csv.parse(real_file(KOSTRA), KOSTRA)


def test_kostra_values_read_back_exactly(kostra):
    assert cell(kostra, "3819", "2020").value == Decimal("39.3")  # 3819 Hjartdal
    assert cell(kostra, "3824", "2020").value == Decimal("52.8")  # 3824 Tokke
    assert cell(kostra, "0833", "2019").value == Decimal("57.7")  # 0833 Tokke (-2019)
    zero = cell(kostra, "0702", "2015")  # 0702 Holmestrand (-2017): «0,0»
    assert (zero.value, zero.status, zero.symbol) == (Decimal("0.0"), base.VALUE, "")


def test_kostra_keeps_values_over_100_percent(kostra):
    # 0714 Hof (-2017): 96,7;102,0;105,8 – SSB's share is over 100 when pupils come
    # from other municipalities.
    assert [cell(kostra, "0714", year).value for year in ("2015", "2016", "2017")] == [
        Decimal("96.7"),
        Decimal("102.0"),
        Decimal("105.8"),
    ]


def test_kostra_dot_is_not_computable_with_its_symbol(kostra):
    dot = cell(kostra, "3801", "2015")  # 3801 Horten did not exist before 2020
    assert (dot.value, dot.status, dot.symbol) == (None, base.NOT_COMPUTABLE, ".")
    assert cell(kostra, "3801", "2020").value == Decimal("5.1")


def test_kostra_historic_municipality_keeps_its_old_code(kostra):
    horten = cell(kostra, "0701", "2015")  # «0701 Horten (-2019)»
    assert (horten.place_level, horten.place_code, horten.place_name) == (
        base.MUNICIPALITY,
        "0701",
        "Horten",
    )
    assert horten.value == Decimal("6.5")
    assert cell(kostra, "0701", "2020").status == base.NOT_COMPUTABLE
    # A county name in brackets is part of the name, the years are not.
    assert cell(kostra, "0713", "2018").place_name == "Sande (Vestfold)"
    assert cell(kostra, "0713", "2018").value == Decimal("5.4")


def test_kostra_indicator_period_and_unit(kostra):
    row = cell(kostra, "3805", "2020")  # 3805 Larvik: 20,6
    assert row.value == Decimal("20.6")
    # The footer's «Intern referansekode» is SSB's code for the statistics variable.
    assert row.indicator_code == "ssb-13135:KOSmusikkandelba0000"
    assert row.indicator_name == "Barn 6-15 år i kommunens kulturskole (prosent)"
    assert row.unit_of_measure == "prosent"
    assert (row.period_start, row.period_end) == (
        datetime.date(2020, 1, 1),
        datetime.date(2020, 12, 31),
    )
    assert row.line == 9
    assert {r.indicator_code for r in kostra.rows} == {"ssb-13135:KOSmusikkandelba0000"}


def test_kostra_row_count_and_footer_gives_no_rows(kostra):
    # 59 places (lines 5–63) × 6 years; the notes after line 63 are no data.
    assert len(kostra.rows) == 59 * 6
    assert kostra.problems == []
    assert max(row.line for row in kostra.rows) == 63
    assert min(row.line for row in kostra.rows) == 5
    assert {row.place_level for row in kostra.rows} == {base.MUNICIPALITY}
    assert len({row.place_code for row in kostra.rows}) == 59
    assert sum(row.status == base.NOT_COMPUTABLE for row in kostra.rows) == 183
    assert kostra.format == ssb_csv.NAME
    assert kostra.source_code == "ssb"


# --- SSB statbank CSV, quoted layout (11616) ------------------------------------------


@pytest.fixture(scope="module")
def quoted():
    return ssb_csv.parse(real_file(QUOTED), QUOTED)


def test_quoted_values_read_back_exactly(quoted):
    bosatt = "ssb-11616:sysselsatte-personer-bosatt-i-regionen"
    ut = "ssb-11616:personer-som-pendler-ut-av-regionen"
    arbeidssted = "ssb-11616:sysselsatte-personer-med-arbeidssted-i-regionen"
    assert cell(quoted, "3803", "2021", bosatt).value == Decimal("29491")  # Tønsberg
    assert cell(quoted, "3811", "2021", ut).value == Decimal("7934")  # Færder
    assert cell(quoted, "3825", "2021", arbeidssted).value == Decimal("1878")  # Vinje
    assert cell(quoted, "3812", "2021", bosatt).place_name == "Siljan"


def test_quoted_takes_the_year_out_of_the_header_text(quoted):
    row = cell(quoted, "3801", "2021", "ssb-11616:personer-som-pendler-inn-i-regionen")
    assert row.value == Decimal("4367")
    assert row.indicator_name == "Personer som pendler inn i regionen"
    assert row.column == "Personer som pendler inn i regionen 2021"
    assert row.period_start == datetime.date(2021, 1, 1)
    assert len(quoted.rows) == 23 * 4
    assert len({r.indicator_code for r in quoted.rows}) == 4
    assert quoted.problems == []


# --- SSB statbank CSV: places, symbols and broken files -------------------------------

SYNTHETIC = """\
12345: Test, etter region, kjønn, statistikkvariabel og år;;;;;;
;;;;;;
;;Elever (prosent);;Elever (antall);;
;;2022;2023;2022;2023
0 Hele landet;Begge kjønn;12,5;13,0;1 200;1 250
;Jenter;:;..;-;40
30 Viken (2020-2023);Begge kjønn;11,1;.;9;10
EKG13 Kostragruppe 13;Begge kjønn;10,0;10,5;abc;
030101 Gamle Oslo;Begge kjønn;1;2;3;4
;;;;;;
Kilde:;;;;;;
Statistisk sentralbyrå;;;;;;
"""


@pytest.fixture(scope="module")
def synthetic():
    return ssb_csv.parse(SYNTHETIC.encode("latin-1"), "12345.csv")


def test_places_of_every_level(synthetic):
    country = cell(synthetic, "0", "2022", "ssb-12345:elever-prosent")
    assert (country.place_level, country.place_name, country.value) == (
        base.COUNTRY,
        "Hele landet",
        Decimal("12.5"),
    )
    viken = cell(synthetic, "30", "2022", "ssb-12345:elever-prosent")
    assert (viken.place_level, viken.place_name, viken.value) == (
        base.COUNTY,
        "Viken",
        Decimal("11.1"),
    )
    group = cell(synthetic, "EKG13", "2023", "ssb-12345:elever-prosent")
    assert (group.place_level, group.place_name, group.value) == (
        base.KOSTRA_GROUP,
        "Kostragruppe 13",
        Decimal("10.5"),
    )


def test_symbols_and_subgroups(synthetic):
    girls = "kjønn=Jenter"
    suppressed = cell(synthetic, "0", "2022", "ssb-12345:elever-prosent", girls)
    assert (suppressed.value, suppressed.status, suppressed.symbol) == (None, base.SUPPRESSED, ":")
    missing = cell(synthetic, "0", "2023", "ssb-12345:elever-prosent", girls)
    assert (missing.status, missing.symbol) == (base.MISSING, "..")
    zero = cell(synthetic, "0", "2022", "ssb-12345:elever-antall", girls)
    assert (zero.value, zero.status, zero.symbol) == (Decimal(0), base.VALUE, "-")
    # Spaces as thousands separator; «Begge kjønn» is everyone.
    assert cell(synthetic, "0", "2023", "ssb-12345:elever-antall").value == Decimal("1250")
    assert cell(synthetic, "0", "2023", "ssb-12345:elever-antall").unit_of_measure == "antall"


def test_bad_cells_become_problems_with_line_column_value_and_reason(synthetic):
    problems = {(p.line, p.column, p.value): p.reason for p in synthetic.problems}
    assert "verken et tall" in problems[(8, "Elever (antall) 2022", "abc")]
    assert "tom" in problems[(8, "Elever (antall) 2023", "")]
    assert "Bydeler" in problems[(9, "region", "030101 Gamle Oslo")]
    assert not [row for row in synthetic.rows if row.line == 9]
    # 4 readable rows × 4 cells, less the two bad cells; the footer gives none.
    assert len(synthetic.rows) == 14


def test_variables_as_rows_in_the_quoted_layout():
    content = (
        '"12345: Test, etter region, statistikkvariabel og år"\n\n'
        '"region";"statistikkvariabel";"2022";"2023"\n'
        '"3801 Horten";"Elever";"310";"320"\n'
        '"";"Lærere";"25";"26"\n'
    ).encode("latin-1")
    result = ssb_csv.parse(content, "12345.csv")
    assert cell(result, "3801", "2023", "ssb-12345:laerere").value == Decimal(26)
    assert cell(result, "3801", "2022", "ssb-12345:elever").value == Decimal(310)
    assert len(result.rows) == 4


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Hele landet", (base.COUNTRY, "0", "Hele landet")),
        ("0 Hele landet", (base.COUNTRY, "0", "Hele landet")),
        ("EAK Landet", (base.COUNTRY, "0", "Landet")),
        ("38 Vestfold og Telemark", (base.COUNTY, "38", "Vestfold og Telemark")),
        ("0532 Jevnaker (-2019)", (base.MUNICIPALITY, "0532", "Jevnaker")),
        ("EKG13 Kostragruppe 13", (base.KOSTRA_GROUP, "EKG13", "Kostragruppe 13")),
    ],
)
def test_place_from_text(text, place):
    assert ssb_csv.place_from_text(text) == place


def test_historic_years():
    assert ssb_csv.historic_years("0701 Horten (-2019)") == (None, 2019)
    assert ssb_csv.historic_years("0710 Sandefjord (2017-2019)") == (2017, 2019)
    assert ssb_csv.historic_years("30 Viken (2020-2023)") == (2020, 2023)
    assert ssb_csv.historic_years("0713 Sande (Vestfold) (-2019)") == (None, 2019)
    assert ssb_csv.historic_years("3801 Horten") == (None, None)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("13135: Tittel, etter region og år;;\n;;\n;;\n", "overskriftsrader"),
        ("13135: Tittel, etter region og år\n\n;2020;2021\n\n", "ingen rader"),
        ("Ingen tittel;;\n\n;2020\n3801 Horten;1\n", "tabellnummeret"),
        (
            "13135: Tittel, etter region og statistikkvariabel\n\n;Andel\n3801 Horten;1\n",
            "årstallet",
        ),
    ],
)
def test_unreadable_csv_is_fatal_with_a_norwegian_message(content, words):
    with pytest.raises(base.FatalImportError, match=words):
        ssb_csv.parse(content.encode("latin-1"), "fil.csv")


# --- JSON-stat 2 (SSB table 05300) -----------------------------------------------------


@pytest.fixture(scope="module")
def jsonstat2():
    return jsonstat.parse(real_file(JSONSTAT2), JSONSTAT2)


KINO = "kulturtilbud=Kino eller lokale med jevnlig spillefilmframvisning"
BOKHANDEL = "kulturtilbud=Bokhandel"
BIBLIOTEK = "kulturtilbud=Folkebibliotek"


def test_jsonstat2_status_map(jsonstat2):
    # index 71: Under 1 km × Bokhandel × 2021; index 360: 50 km eller over × Kino × 1991.
    dot = cell(jsonstat2, "0", "2021", subgroup=f"avstand=Under 1 km|{BOKHANDEL}")
    assert (dot.line, dot.value, dot.status, dot.symbol) == (72, None, base.NOT_COMPUTABLE, ".")
    double_dot = cell(jsonstat2, "0", "1991", subgroup=f"avstand=50 km eller over|{KINO}")
    assert (double_dot.line, double_dot.value, double_dot.status, double_dot.symbol) == (
        361,
        None,
        base.MISSING,
        "..",
    )
    assert sum(row.status == base.NOT_COMPUTABLE for row in jsonstat2.rows) == 20
    assert sum(row.status == base.MISSING for row in jsonstat2.rows) == 8


def test_jsonstat2_values_read_back_exactly(jsonstat2):
    # No region dimension: the table is for the whole country.
    first = cell(jsonstat2, "0", "1991", subgroup=f"avstand=Under 1 km|{KINO}")
    assert (first.value, first.status, first.place_level) == (Decimal(16), base.VALUE, base.COUNTRY)
    assert cell(jsonstat2, "0", "2021", subgroup=f"avstand=Under 1 km|{BIBLIOTEK}").value == 15
    assert cell(jsonstat2, "0", "2021", subgroup="avstand=10-24 km|kulturtilbud=Museum").value == 18
    assert cell(jsonstat2, "0", "2016", subgroup=f"avstand=50 km eller over|{BIBLIOTEK}").value == 0
    assert first.indicator_code == "ssb-05300:Avstand"
    assert first.indicator_name == "Avstand til nærmeste lokale/sted"
    assert first.unit_of_measure == "prosent"
    assert len(jsonstat2.rows) == 6 * 8 * 1 * 9
    assert jsonstat2.problems == []
    assert (jsonstat2.format, jsonstat2.source_code) == (jsonstat.NAME, "ssb")


def test_truncated_json_is_fatal_with_a_norwegian_message():
    content = real_file(JSONSTAT2)
    truncated = content[: len(content) // 2]
    assert jsonstat.sniff(truncated, JSONSTAT2)
    with pytest.raises(base.FatalImportError, match="ikke gyldig JSON, kanskje er den avkortet"):
        jsonstat.parse(truncated, JSONSTAT2)


def test_value_list_shorter_than_the_cube_is_fatal():
    document = json.loads(real_file(JSONSTAT2))
    document["value"] = document["value"][:-1]
    with pytest.raises(base.FatalImportError, match="431 verdier, men dimensjonene gir 432"):
        jsonstat.parse(json.dumps(document).encode(), JSONSTAT2)


# --- JSON-stat 1 (the older bundle form) -----------------------------------------------

# Written after the JSON-stat 1.x format (json-stat.org, «Format» v1.0x): an object of
# datasets by id; each has value, status and dimension, and «dimension» holds id, size
# and role beside the dimensions. Category index as an object and (from 1.01) as a list.
JSONSTAT1 = {
    "dataset": {
        "label": "07459: Befolkning, etter region, kjønn, statistikkvariabel og år",
        "source": "Statistisk sentralbyrå",
        "updated": "2020-02-21T07:00:00Z",
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {"0": 0, "3801": 1, "0701": 2},
                    "label": {"0": "Hele landet", "3801": "Horten", "0701": "Horten (-2019)"},
                },
            },
            "Kjonn": {
                "label": "kjønn",
                "category": {
                    "index": ["0", "2"],
                    "label": {"0": "Begge kjønn", "2": "Kvinner"},
                },
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {
                    "index": {"Personer1": 0},
                    "label": {"Personer1": "Personer"},
                    "unit": {"Personer1": {"base": "personer", "decimals": 0}},
                },
            },
            "Tid": {
                "label": "år",
                "category": {
                    "index": {"2019": 0, "2020": 1},
                    "label": {"2019": "2019", "2020": "2020"},
                },
            },
            "id": ["Region", "Kjonn", "ContentsCode", "Tid"],
            "size": [3, 2, 1, 2],
            "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
        },
        # Region × kjønn × variable × år, the last varying fastest.
        "value": [
            5328212,
            5367580,
            2637128,
            2660424,
            None,
            27497,
            None,
            13793,
            27308,
            None,
            13723,
            None,
        ],
        "status": {"4": "..", "6": ":", "9": ".", "11": "."},
    }
}


def test_jsonstat1_bundle_reads_back():
    content = json.dumps(JSONSTAT1, ensure_ascii=False).encode()
    assert jsonstat.sniff(content, "07459.json")
    result = jsonstat.parse(content, "07459.json")
    assert len(result.rows) == 12
    assert cell(result, "0", "2020").value == Decimal(5367580)
    women = cell(result, "0", "2019", subgroup="kjønn=Kvinner")
    assert women.value == Decimal(2637128)
    horten = cell(result, "3801", "2020")
    assert (horten.place_level, horten.place_name, horten.value) == (
        base.MUNICIPALITY,
        "Horten",
        Decimal(27497),
    )
    assert cell(result, "3801", "2019").status == base.MISSING
    hidden = cell(result, "3801", "2019", subgroup="kjønn=Kvinner")
    assert (hidden.status, hidden.symbol) == (base.SUPPRESSED, ":")
    old = cell(result, "0701", "2019")
    assert (old.place_code, old.place_name, old.value) == ("0701", "Horten", Decimal(27308))
    assert (cell(result, "0701", "2020").status, cell(result, "0701", "2020").symbol) == (
        base.NOT_COMPUTABLE,
        ".",
    )
    assert women.indicator_code == "ssb-07459:Personer1"
    assert women.indicator_name == "Personer"
    assert women.unit_of_measure == "personer"


def test_jsonstat_without_roles_uses_ssb_ids():
    document = json.loads(json.dumps(JSONSTAT1))["dataset"]
    dimension = document.pop("dimension")
    document.update(
        {
            "version": "2.0",
            "class": "dataset",
            "id": dimension.pop("id"),
            "size": dimension.pop("size"),
            "dimension": {key: value for key, value in dimension.items() if key != "role"},
        }
    )
    result = jsonstat.parse(json.dumps(document).encode(), "api.json")
    assert cell(result, "3801", "2020", subgroup="kjønn=Kvinner").value == Decimal(13793)
    assert cell(result, "3801", "2020").place_level == base.MUNICIPALITY


# --- Format detection --------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in OTHER_FILES if name not in (KOSTRA, QUOTED)])
def test_ssb_csv_does_not_claim_other_files(name):
    assert not ssb_csv.sniff(real_file(name), name)


@pytest.mark.parametrize("name", [name for name in OTHER_FILES if name != JSONSTAT2])
def test_jsonstat_does_not_claim_other_files(name):
    assert not jsonstat.sniff(real_file(name), name)


@pytest.mark.parametrize(
    ("name", "parser"), [(KOSTRA, ssb_csv), (QUOTED, ssb_csv), (JSONSTAT2, jsonstat)]
)
def test_sniff_claims_its_own_files(name, parser):
    assert parser.sniff(real_file(name), name)
