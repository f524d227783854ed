"""The streaming commit path (``indicators.services.bulk``): counts, what a changed cell
keeps in ``previous``, statuses and symbols, places and indicators created once, and
duplicates across chunks. Runs on SQLite and on PostgreSQL (COPY + staging table)."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import (
    ImportBatch,
    ImportStatus,
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
)
from indicators.parsing.base import FatalImportError, ParsedRow
from indicators.parsing.streaming import iter_parse
from indicators.services.bulk import observations_preview, observations_upsert

pytestmark = pytest.mark.django_db

HEADER = (
    "kilde;indikatorkode;indikator;stedsnivå;stedskode;sted;periode;undergruppe;verdi;status;enhet"
)


def template(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def line(code: str, place: str, period: str, subgroup: str, value: str, status: str = "") -> str:
    level, number, name = place.split(":")
    cells = [f"Indikator {code}", level, number, name, period, subgroup, value, status]
    return ";".join(["lokal", code, *cells, "prosent"])


SOLVIK = "kommune:9901:Solvik"
LANDET = "land:0:Hele landet"
BASE = (
    line("trivsel", SOLVIK, "2023-24", "", "87,5"),
    line("trivsel", SOLVIK, "2023-24", "kjønn=Jenter", "89,1"),
    line("trivsel", SOLVIK, "2023-24", "kjønn=Gutter", "", "skjult"),
    line("trivsel", LANDET, "2023-24", "", "85,0"),
    line("mobbing", SOLVIK, "2022", "", ":"),
    line("mobbing", SOLVIK, "2023", "", ".."),
    line("mobbing", SOLVIK, "2024", "", "."),
    line("mobbing", LANDET, "2024", "", "-"),
)


def new_batch(name: str = "fil.csv") -> ImportBatch:
    return ImportBatch.objects.create(
        file_name=name, sha256="0" * 64, status=ImportStatus.COMMITTED
    )


def upsert(content: bytes, *, batch: ImportBatch | None = None, chunk_size: int = 3) -> dict:
    parse = iter_parse(content, "mal.csv")
    return observations_upsert(
        rows=parse.rows,
        batch=batch or new_batch(),
        source_code=parse.source_code,
        chunk_size=chunk_size,
    )


def preview(content: bytes, *, chunk_size: int = 3) -> dict:
    parse = iter_parse(content, "mal.csv")
    return observations_preview(
        rows=parse.rows, source_code=parse.source_code, chunk_size=chunk_size
    )


def cell(code: str, place_code: str, period: str, subgroup: str = "") -> Observation:
    return Observation.objects.get(
        indicator__code=code, place__code=place_code, period_label=period, subgroup=subgroup
    )


def counts(result: dict) -> tuple[int, int, int, int]:
    return result["new"], result["changed"], result["unchanged"], result["rejected"]


def test_the_tests_run_on_the_database_database_url_names():
    # CI sets DATABASE_URL to PostgreSQL so that these tests cover the COPY path; a
    # setting that fell back to SQLite there would test the ORM path twice.
    url = os.environ.get("DATABASE_URL", "")
    asked = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == asked


def test_postgresql_writes_by_copy_and_sqlite_through_the_orm():
    """The writer follows the database: on PostgreSQL the observations go by COPY and
    one INSERT … SELECT on psycopg's own cursor, never through the ORM; on SQLite through
    the ORM's bulk_create."""
    with CaptureQueriesContext(connection) as queries:
        result = upsert(template(*BASE))
    assert result["new"] == len(BASE)
    assert Observation.objects.count() == len(BASE)
    orm_inserts = [
        query
        for query in queries.captured_queries
        if query["sql"].startswith('INSERT INTO "indicators_observation"')
    ]
    if connection.vendor == "postgresql":
        assert orm_inserts == []
    else:
        assert orm_inserts


def test_first_import_is_all_new_and_again_all_unchanged():
    first = new_batch("første.csv")
    result = upsert(template(*BASE), batch=first)
    assert counts(result) == (8, 0, 0, 0)
    assert result["rows"] == 8
    assert Observation.objects.count() == 8
    assert set(Observation.objects.values_list("batch", flat=True)) == {first.pk}

    second = new_batch("andre.csv")
    again = upsert(template(*BASE), batch=second)
    assert counts(again) == (0, 0, 8, 0)
    # Nothing was touched: the cells still belong to the first batch, with no history.
    assert set(Observation.objects.values_list("batch", flat=True)) == {first.pk}
    assert not Observation.objects.exclude(previous=None).exists()


def test_one_changed_value_is_counted_and_keeps_what_it_was():
    first = new_batch("første.csv")
    upsert(template(*BASE), batch=first)
    rows = list(BASE)
    rows[0] = line("trivsel", SOLVIK, "2023-24", "", "88,25")
    second = new_batch("andre.csv")

    result = upsert(template(*rows), batch=second)

    assert counts(result) == (0, 1, 7, 0)
    changed = cell("trivsel", "9901", "2023/24")
    assert changed.value == Decimal("88.25")
    assert changed.batch_id == second.pk
    assert changed.previous == {
        "value": "87.5",
        "status": ObservationStatus.VALUE,
        "symbol": "",
        "batch": first.pk,
        "previous": None,
    }
    # The neighbours were not touched.
    girls = cell("trivsel", "9901", "2023/24", "kjønn=Jenter")
    assert (girls.value, girls.batch_id, girls.previous) == (Decimal("89.1"), first.pk, None)


def test_a_value_turning_suppressed_is_a_change_with_its_symbol():
    first = new_batch()
    upsert(template(*BASE), batch=first)
    rows = list(BASE)
    rows[3] = line("trivsel", LANDET, "2023-24", "", ":")
    result = upsert(template(*rows), batch=new_batch())
    assert counts(result) == (0, 1, 7, 0)
    country = cell("trivsel", "0", "2023/24")
    assert (country.value, country.status, country.symbol) == (
        None,
        ObservationStatus.SUPPRESSED,
        ":",
    )
    assert country.previous["value"] == "85"
    assert country.previous["batch"] == first.pk


def test_statuses_and_symbols_read_back_exactly():
    upsert(template(*BASE))
    boys = cell("trivsel", "9901", "2023/24", "kjønn=Gutter")
    assert (boys.value, boys.status, boys.symbol) == (None, ObservationStatus.SUPPRESSED, "")
    assert cell("trivsel", "9901", "2023/24", "kjønn=Jenter").value == Decimal("89.1")
    suppressed = cell("mobbing", "9901", "2022")
    assert (suppressed.value, suppressed.status, suppressed.symbol) == (
        None,
        ObservationStatus.SUPPRESSED,
        ":",
    )
    missing = cell("mobbing", "9901", "2023")
    assert (missing.status, missing.symbol) == (ObservationStatus.MISSING, "..")
    not_computable = cell("mobbing", "9901", "2024")
    assert (not_computable.status, not_computable.symbol) == (
        ObservationStatus.NOT_COMPUTABLE,
        ".",
    )
    zero = cell("mobbing", "0", "2024")
    assert (zero.value, zero.status, zero.symbol) == (Decimal(0), ObservationStatus.VALUE, "-")
    school_year = cell("trivsel", "9901", "2023/24")
    assert (school_year.period_start, school_year.period_end) == (
        datetime.date(2023, 8, 1),
        datetime.date(2024, 7, 31),
    )


def test_places_and_indicators_are_created_once():
    result = upsert(template(*BASE), chunk_size=2)
    assert result["indicators_created"] == 2
    assert result["places_created"] == 2
    assert set(Indicator.objects.values_list("source__code", "code")) == {
        ("lokal", "trivsel"),
        ("lokal", "mobbing"),
    }
    trivsel = Indicator.objects.get(code="trivsel")
    assert (trivsel.name, trivsel.unit_of_measure, trivsel.decimals) == (
        "Indikator trivsel",
        "prosent",
        1,
    )
    assert sorted(Place.objects.values_list("level", "code", "name")) == [
        (PlaceLevel.MUNICIPALITY, "9901", "Solvik"),
        (PlaceLevel.COUNTRY, "0", "Hele landet"),
    ]

    again = upsert(template(*BASE), chunk_size=2)
    assert (again["indicators_created"], again["places_created"]) == (0, 0)
    assert Indicator.objects.count() == 2
    assert Place.objects.count() == 2


def test_a_historic_municipality_number_gets_its_successors_linked():
    rows = (
        line("kulturskole", "kommune:0701:Horten (-2019)", "2019", "", "5,6"),
        line("kulturskole", "kommune:3801:Horten", "2020", "", "5,1"),
    )
    upsert(template(*rows), chunk_size=1)
    old = Place.objects.get(level=PlaceLevel.MUNICIPALITY, code="0701")
    assert (old.name, old.valid_to) == ("Horten", 2019)
    assert old.successor.code == "3801"
    assert old.successor.valid_from == 2020
    assert old.successor.successor.code == "3901"  # Vestfold again from 2024
    assert Place.objects.filter(code="3801").count() == 1


def test_precision_and_unit_of_a_new_indicator_follow_later_chunks():
    rows = (
        line("lesing", SOLVIK, "2021", "", ":").replace(";prosent", ";"),
        line("lesing", SOLVIK, "2022", "", "12,345"),
    )
    upsert(template(*rows), chunk_size=1)
    indicator = Indicator.objects.get(code="lesing")
    assert (indicator.decimals, indicator.unit_of_measure) == (3, "prosent")


def test_the_same_cell_twice_is_rejected_also_across_chunks():
    rows = (
        line("trivsel", SOLVIK, "2023-24", "", "87,5"),
        line("trivsel", LANDET, "2023-24", "", "85,0"),
        line("trivsel", SOLVIK, "2022-23", "", "80,0"),
        line("trivsel", SOLVIK, "2023-24", "", "11,1"),  # line 5: the same as line 2
        line("trivsel", SOLVIK, "2022-23", "", "70,0"),  # line 6: the same as line 4, same chunk
    )
    result = upsert(template(*rows), chunk_size=3)
    assert counts(result) == (3, 0, 0, 2)
    assert [(problem["line"], problem["reason"]) for problem in result["problems"]] == [
        (5, "Det samme tallet (sted, periode og undergruppe) står også på linje 2."),
        (6, "Det samme tallet (sted, periode og undergruppe) står også på linje 4."),
    ]
    assert cell("trivsel", "9901", "2023/24").value == Decimal("87.5")
    assert cell("trivsel", "9901", "2022/23").value == Decimal("80")


def _row(**changes) -> ParsedRow:
    row = ParsedRow(
        line=2,
        indicator_code="trivsel",
        indicator_name="Trivsel",
        place_level=PlaceLevel.MUNICIPALITY,
        place_code="9901",
        place_name="Solvik",
        period_label="2024",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        subgroup="",
        value=Decimal("1.5"),
        status=ObservationStatus.VALUE,
        column="verdi",
    )
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def test_rows_that_cannot_be_stored_are_rejected_with_a_reason():
    rows = [
        _row(line=2),
        _row(line=3, period_label="2023", status=ObservationStatus.SUPPRESSED, symbol=":"),
        _row(line=4, period_label="2022", value=Decimal(10) ** 13),
        _row(line=5, period_label="2021", place_level="bydel"),
        _row(line=6, period_label="2020", subgroup="x" * 201),
    ]
    result = observations_upsert(rows=rows, batch=new_batch(), source_code="lokal", chunk_size=2)
    assert counts(result) == (1, 0, 0, 4)
    assert [(problem["line"], problem["reason"]) for problem in result["problems"]] == [
        (3, "En celle uten verdi (status «skjult») kan ikke ha et tall."),
        (4, "Tallet er for stort."),
        (5, "Ukjent stedsnivå «bydel»."),
        (6, "Undergruppen er for lang (høyst 200 tegn)."),
    ]
    assert Observation.objects.get().value == Decimal("1.5")


def test_preview_counts_what_the_commit_does_and_writes_nothing():
    assert counts(preview(template(*BASE))) == (8, 0, 0, 0)
    assert not Observation.objects.exists()
    assert not Indicator.objects.exists()
    assert not Place.objects.exists()

    upsert(template(*BASE))
    rows = list(BASE)
    rows[1] = line("trivsel", SOLVIK, "2023-24", "kjønn=Jenter", "90")
    rows.append(line("trivsel", SOLVIK, "2023-24", "kjønn=Jenter", "91"))  # a duplicate
    rows.append(line("ny", "kommune:9902:Nabo", "2024", "", "1"))
    result = preview(template(*rows))
    assert counts(result) == (1, 1, 7, 1)
    assert (result["indicators_created"], result["places_created"]) == (1, 1)
    assert Observation.objects.count() == 8
    assert cell("trivsel", "9901", "2023/24", "kjønn=Jenter").value == Decimal("89.1")
    assert not Indicator.objects.filter(code="ny").exists()

    committed = upsert(template(*rows))
    assert counts(committed) == counts(result)


def test_an_error_in_the_middle_of_the_file_writes_nothing():
    def rows():
        yield _row(line=2, period_label="2020")
        yield _row(line=3, period_label="2021")
        raise FatalImportError("Filen slutter midt i en linje.")

    with pytest.raises(FatalImportError, match="slutter midt i"):
        observations_upsert(rows=rows(), batch=new_batch(), source_code="lokal", chunk_size=1)
    assert not Observation.objects.exists()
    assert not Indicator.objects.exists()


def test_the_flow_rolls_back_a_batch_written_here():
    from indicators.services.imports import batch_rollback

    first = new_batch("første.csv")
    upsert(template(*BASE), batch=first)
    rows = list(BASE)
    rows[0] = line("trivsel", SOLVIK, "2023-24", "", "88,25")
    rows.append(line("trivsel", SOLVIK, "2024-25", "", "90"))
    second = new_batch("andre.csv")
    upsert(template(*rows), batch=second)

    batch_rollback(batch=second, user=None)

    restored = cell("trivsel", "9901", "2023/24")
    assert (restored.value, restored.batch_id, restored.previous) == (
        Decimal("87.5"),
        first.pk,
        None,
    )
    assert not Observation.objects.filter(period_label="2024/25").exists()
    assert Observation.objects.count() == 8


def test_progress_is_told_the_rows_read():
    seen = []
    parse = iter_parse(template(*BASE), "mal.csv")
    observations_upsert(
        rows=parse.rows, batch=new_batch(), source_code="lokal", chunk_size=3, progress=seen.append
    )
    assert seen == [3, 6, 8]


def test_without_database_foreign_keys_the_orm_cascades_and_protects_and_the_check_finds_orphans():
    """The observation table's foreign keys are kept by the application (for import
    speed): deletes through the ORM still cascade and protect as declared, and the
    database check reports an observation whose indicator is gone."""
    from django.core import checks
    from django.db.models import ProtectedError

    batch = new_batch()
    observations_upsert(rows=iter_parse(template(*BASE)).rows, batch=batch, source_code="lokal")
    place = Place.objects.get(level=PlaceLevel.MUNICIPALITY, code="9901")
    with pytest.raises(ProtectedError):
        place.delete()

    assert not [
        error
        for error in checks.run_checks(tags=[checks.Tags.database], databases=["default"])
        if error.id == "indicators.E001"
    ]
    mobbing = Indicator.objects.get(code="mobbing")
    count = mobbing.observations.count()
    Indicator.objects.get(code="trivsel").delete()  # the ORM cascades
    assert not Observation.objects.filter(indicator__code="trivsel").exists()
    with connection.cursor() as cursor:  # round the ORM: an orphan is left
        cursor.execute("DELETE FROM indicators_indicator WHERE id = %s", [mobbing.pk])
    errors = [
        error
        for error in checks.run_checks(tags=[checks.Tags.database], databases=["default"])
        if error.id == "indicators.E001"
    ]
    assert len(errors) == 1
    assert f"{count} målinger viser til en indikator som ikke finnes" in errors[0].msg


def test_the_same_cell_twice_is_rejected_across_chunks_for_a_stored_indicator_too():
    """The first import creates the indicator; in the second the same cell twice in
    different chunks is found by the table of cells seen, not by the unique index."""
    upsert(template(line("trivsel", LANDET, "2020", "", "1,0")))
    rows = (
        line("trivsel", SOLVIK, "2023-24", "", "87,5"),
        line("trivsel", LANDET, "2020", "", "1,0"),
        line("trivsel", SOLVIK, "2022-23", "", "80,0"),
        line("trivsel", SOLVIK, "2023-24", "", "11,1"),  # line 5: the same as line 2
    )
    result = upsert(template(*rows), chunk_size=2)
    assert counts(result) == (2, 0, 1, 1)
    assert [(problem["line"], problem["reason"]) for problem in result["problems"]] == [
        (5, "Det samme tallet (sted, periode og undergruppe) står også på linje 2."),
    ]
    assert cell("trivsel", "9901", "2023/24").value == Decimal("87.5")
