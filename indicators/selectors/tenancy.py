"""Which rows of a file a municipality's import may write (a read: the import services ask it).

Observations are stored once per installation, so an import must not write what another
municipality sees as its own. A municipality's import (``ImportBatch.municipality`` set)
writes

* its own figures: its number, its historic numbers (``Municipality.historic_numbers``),
  numbers the reforms table (``indicators.reforms``) or a stored ``successor`` chain lead
  to it, and its own units: a unit-level place linked to one of its units, or not linked
  to any unit and coded with one of its units' organisation numbers;
* figures of the country, counties and KOSTRA groups: for its own indicators always
  (no one else sees them); for an installation-wide indicator, whose shared figures every
  municipality sees, only from a file in a publisher's own layout (``PUBLISHER_FORMATS``:
  SSB, Udir and FHI exports), not from a table typed by hand (the portal's template, an
  Ungdata table, a file read through the mapping step).

Every other row is left out: counted per reason, with its first lines, for the preview
and the result, never written. An import without a municipality (``manage.py
import_indicators`` without ``--municipality``, run by an installation administrator)
writes every row it has: ``import_scope`` returns ``None`` for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from indicators import reforms
from indicators.models import Place, PlaceLevel
from plans.models import Municipality, Unit

# The layouts in which a publisher gives its own figures for the country, counties and
# KOSTRA groups (the parsers' NAME).
PUBLISHER_FORMATS = frozenset(
    {
        "ssb_statbank_csv",
        "jsonstat",
        "udir_statistikkbank_csv",
        "udir_statistikkbank_xlsx",
        "fhi_cube",
        "fhi_api_csv",
    }
)
SHARED_LEVELS = frozenset(
    {PlaceLevel.COUNTRY.value, PlaceLevel.COUNTY.value, PlaceLevel.KOSTRA_GROUP.value}
)

# Why a row is left out (the keys of ``ImportBatch.skipped``).
FOREIGN = "foreign"
SHARED = "shared"
# Lines kept per reason for the message.
SHOWN_LINES = 10


def import_skip_reason(*, key: str) -> str:
    """The Norwegian sentence for a reason a row was left out."""
    if key == FOREIGN:
        return _(
            "Radene gjelder andre kommuner eller deres enheter og lagres ikke med denne "
            "kommunens import."
        )
    return _(
        "Tall for hele landet, fylker og KOSTRA-grupper på indikatorer som er felles for alle "
        "kommunene lagres bare fra kildens egne filer (SSB, Udir, FHI), ikke fra en tabell "
        "fylt ut for hånd."
    )


@dataclass
class ImportScope:
    """The places a municipality's import may write, decided once per (level, code)."""

    municipality_id: int
    shared: bool
    municipality_codes: frozenset[str]
    unit_codes: frozenset[str]
    _verdicts: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def refusal(self, level: str, code: str) -> str | None:
        """``None`` when the row may be written, else the reason it is left out; ``SHARED``
        holds for installation-wide indicators only (the caller knows the indicator)."""
        key = (level, code)
        try:
            return self._verdicts[key]
        except KeyError:
            verdict = self._verdicts[key] = self._decide(level, code)
            return verdict

    def _decide(self, level: str, code: str) -> str | None:
        if level in SHARED_LEVELS:
            return None if self.shared else SHARED
        if level == PlaceLevel.MUNICIPALITY:
            if code in self.municipality_codes or reforms.current(code) in self.municipality_codes:
                return None
            return FOREIGN
        if level == PlaceLevel.UNIT:
            return None if code in self.unit_codes else FOREIGN
        return FOREIGN


def import_scope(*, municipality: Municipality | None, detected_format: str) -> ImportScope | None:
    """What an import for ``municipality`` may write (``None``: everything, an installation
    administrator's import). A fixed number of queries."""
    if municipality is None:
        return None
    from indicators.selectors.figures import municipality_places

    others = Municipality.objects.exclude(pk=municipality.pk).values_list(
        "number", "historic_numbers"
    )
    elsewhere = set()
    for number, historic in others:
        elsewhere.add(number)
        elsewhere.update(str(code) for code in historic or [])
    # A historic number is the municipality's when the reforms table leads it here, or,
    # for a number the table does not know, when no other municipality claims it: a data
    # admin cannot take another municipality's figures by typing its number there.
    historic = sorted(
        code
        for code in (str(code) for code in municipality.historic_numbers or [])
        if reforms.current(code) == municipality.number
        or (reforms.current(code) == code and code not in elsewhere)
    )
    probe = Municipality(pk=municipality.pk, number=municipality.number, historic_numbers=historic)
    places = municipality_places(probe)
    own = {municipality.number, *historic}
    own.update(
        Place.objects.filter(pk__in=list(places.municipality)).values_list("code", flat=True)
    )
    linked: dict[str, set[int]] = {}
    for code, owner in Place.objects.filter(level=PlaceLevel.UNIT, unit__isnull=False).values_list(
        "code", "unit__municipality_id"
    ):
        linked.setdefault(code, set()).add(owner)
    numbers: dict[str, set[int]] = {}
    for number, owner in Unit.objects.exclude(organisation_number="").values_list(
        "organisation_number", "municipality_id"
    ):
        numbers.setdefault(number, set()).add(owner)
    units = {code for code, owners in linked.items() if owners == {municipality.pk}}
    # An unlinked school is the municipality's when only its units carry that number.
    units |= {
        number
        for number, owners in numbers.items()
        if owners == {municipality.pk} and number not in linked
    }
    return ImportScope(
        municipality_id=municipality.pk,
        shared=detected_format in PUBLISHER_FORMATS,
        municipality_codes=frozenset(own),
        unit_codes=frozenset(units),
    )
