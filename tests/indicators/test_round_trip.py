"""Import → export CSV → import into an empty database gives the same observations, for
every real file: the export is the portal template's layout (docs/indicator_template.md),
so subgroups, status and symbol come back as they were stored."""

from __future__ import annotations

import pytest

from indicators import exports
from indicators.models import (
    ImportBatch,
    ImportMapping,
    ImportStatus,
    Indicator,
    Observation,
    Place,
    Source,
)
from indicators.services.imports import batch_commit, batch_create, batch_parse
from tests.indicators import corruption
from tests.indicators.conftest import DATA, real_file

REAL_FILES = sorted(path.name for path in DATA.iterdir() if path.name != "README.md")


def _installation_import(content: bytes, name: str, *, municipality=None) -> ImportBatch:
    """Import as the installation (every row written). An Ungdata report table is read
    with the place and year the mapping step gives it, as a saved mapping."""
    batch = batch_create(content=content, name=name, user=None, municipality=None)
    options = corruption.options_for(name)
    if options:
        batch.mapping = ImportMapping.objects.create(
            municipality=municipality,
            name="Ungdata",
            header_signature="-",
            columns={
                "parser": "ungdata_table",
                "place": list(options["place"]),
                "period": options["period"],
            },
            source=Source.objects.get_or_create(code="ungdata", defaults={"name": "Ungdata"})[0],
            indicator_code="",
            indicator_name="",
        )
        batch.save(update_fields=["mapping"])
    batch = batch_parse(batch=batch)
    assert batch.status == ImportStatus.PREVIEW, batch.error
    return batch_commit(batch=batch, user=None)


def _observations() -> set[tuple]:
    return set(
        Observation.objects.values_list(
            "indicator__source__code",
            "indicator__code",
            "place__code",
            "place__level",
            "period_label",
            "period_start",
            "period_end",
            "subgroup",
            "value",
            "status",
            "symbol",
        )
    )


def _export_csv(indicator: Indicator) -> bytes:
    response = exports.export_response(indicator, "csv")
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", REAL_FILES)
def test_round_trip_export_then_import_gives_the_same_observations(name, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    content = real_file(name)
    if name == "ungdata_vtfk_handmade_fysisk_aktivitet.csv":  # typed without the last line end
        content += b"\n"
    _installation_import(content, name, municipality=cast.municipality)
    before = _observations()
    assert before
    exported = [
        (indicator.code, _export_csv(indicator))
        for indicator in Indicator.objects.select_related("source").order_by("code")
    ]

    Observation.objects.all().delete()
    ImportBatch.objects.all().delete()
    Indicator.objects.all().delete()
    Place.objects.all().delete()

    for code, content in exported:
        batch = _installation_import(content, f"{code}.csv")
        assert batch.rows_rejected == 0, batch.problems
    assert _observations() == before
