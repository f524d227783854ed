"""Targets that mean something (issue 20): absolute, relative to the municipality's own
baseline or to a comparison place, with a horizon, milestones and an adoption — resolved in
one place (``indicators.targets``), edited through one form and service, and read by the
indicator page, the findings and the status report alike."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.findings import findings_overview
from indicators.models import (
    ObservationStatus,
    PlaceLevel,
    Target,
    TargetAdoption,
    TargetChange,
    TargetKind,
    TargetMilestone,
)
from indicators.selectors.figures import targets_for
from indicators.targets import target_book
from tests.indicators.factories_pages import (
    BatchFactory,
    IndicatorFactory,
    PlaceFactory,
    country,
    observe,
    observe_many,
    solvik,
)

SUPPRESSED = ObservationStatus.SUPPRESSED


@pytest.fixture
def lesing(plan_cast):
    """Solvik's reading scores (higher is better): 41,3 in 2022, suppressed in 2023, 44,1
    in 2024; the country and a KOSTRA group beside them."""
    cast = plan_cast.cast
    batch = BatchFactory()
    indicator = IndicatorFactory(name="Lesing", code="lesing", higher_is_better=True)
    indicator.areas.add(plan_cast.areas[0])
    own = solvik()
    observe_many(indicator, own, {2022: "41.3", 2024: "44.1"}, batch=batch)
    observe(indicator, own, 2023, None, status=SUPPRESSED, symbol=":", batch=batch)
    observe_many(indicator, country(), {2022: "42.0", 2024: "43.0"}, batch=batch)
    kostra = PlaceFactory(level=PlaceLevel.KOSTRA_GROUP, code="EKG13", name="KOSTRA-gruppe 13")
    observe(indicator, kostra, 2024, "42.55", batch=batch)
    indicator.kostra = kostra
    indicator.municipality_place = own
    indicator.cast = cast
    return indicator


def _target(indicator, **fields) -> Target:
    defaults = {"indicator": indicator, "municipality": indicator.cast.municipality}
    return Target.objects.create(**(defaults | fields))


def _book(indicator):
    municipality = indicator.cast.municipality
    return target_book(targets_for(indicator, municipality), municipality)


# --- The resolver -------------------------------------------------------------------------


def test_an_absolute_target_is_its_value_in_its_year_and_its_milestones(lesing):
    target = _target(lesing, year=2026, value=Decimal("46.0"))
    TargetMilestone.objects.create(target=target, year=2025, amount=Decimal("45.05"))
    values = _book(lesing).values(lesing.pk, "")
    assert [(v.year, v.value, v.milestone) for v in values] == [
        (2025, Decimal("45.05"), True),
        (2026, Decimal("46.0"), False),
    ]
    # A year the target does not name has no value: nothing is interpolated.
    assert _book(lesing).for_year(lesing.pk, "", 2024) is None


def test_a_baseline_target_adds_the_change_to_the_own_figure_exactly(lesing):
    target = _target(
        lesing,
        year=2026,
        kind=TargetKind.BASELINE,
        baseline_year=2022,
        change=Decimal("3.0"),
    )
    TargetMilestone.objects.create(target=target, year=2024, amount=Decimal("1.1"))
    values = _book(lesing).values(lesing.pk, "")
    # Decimal, not float: 41,3 + 3,0 is 44,3 and 41,3 + 1,1 is 42,4, exactly.
    assert [(v.year, v.value) for v in values] == [(2024, Decimal("42.4")), (2026, Decimal("44.3"))]
    assert all(isinstance(v.value, Decimal) for v in values)
    assert values[1].basis.period_label == "2022"


def test_a_baseline_target_goes_down_when_lower_is_better(lesing):
    lesing.higher_is_better = False
    lesing.save()
    _target(lesing, year=2026, kind=TargetKind.BASELINE, baseline_year=2022, change=Decimal("2"))
    assert _book(lesing).for_year(lesing.pk, "", 2026).value == Decimal("39.3")


def test_a_baseline_that_is_suppressed_cannot_be_computed_and_says_why(lesing):
    _target(lesing, year=2026, kind=TargetKind.BASELINE, baseline_year=2023, change=Decimal("2"))
    value = _book(lesing).for_year(lesing.pk, "", 2026)
    assert value.value is None
    assert value.unresolved_text == (
        "kan ikke beregnes: kommunen har ikke noe tall for utgangsåret 2023"
    )


def test_a_comparison_target_is_the_places_figure_that_year_plus_the_margin(lesing):
    _target(
        lesing,
        year=2024,
        kind=TargetKind.COMPARISON,
        comparison_place=lesing.kostra,
        margin=Decimal("0.5"),
    )
    value = _book(lesing).for_year(lesing.pk, "", 2024)
    assert value.value == Decimal("43.05")


def test_a_comparison_place_without_a_figure_that_year_cannot_be_computed(lesing):
    _target(
        lesing,
        year=2026,
        kind=TargetKind.COMPARISON,
        comparison_place=lesing.kostra,
        margin=Decimal("0"),
    )
    value = _book(lesing).for_year(lesing.pk, "", 2026)
    assert value.value is None
    assert value.reason == "KOSTRA-gruppe 13 har ikke noe tall for 2026"


def test_a_relative_target_needs_a_direction(lesing):
    lesing.higher_is_better = None
    lesing.save()
    _target(lesing, year=2026, kind=TargetKind.BASELINE, baseline_year=2022, change=Decimal("2"))
    value = _book(lesing).for_year(lesing.pk, "", 2026)
    assert value.value is None
    assert "ingen retning" in value.reason


def test_a_horizon_goes_before_another_targets_milestone(lesing):
    _target(lesing, year=2025, value=Decimal("44"))
    later = _target(lesing, year=2027, value=Decimal("47"))
    TargetMilestone.objects.create(target=later, year=2025, amount=Decimal("45"))
    assert _book(lesing).for_year(lesing.pk, "", 2025).value == Decimal("44")


# --- The indicator page and the findings ----------------------------------------------------


def test_the_page_shows_the_kind_the_adoption_and_why_a_value_cannot_be_computed(client, lesing):
    _target(
        lesing,
        year=2026,
        kind=TargetKind.BASELINE,
        baseline_year=2023,
        change=Decimal("2"),
        adoption=TargetAdoption.COUNCIL,
        council_case="25/14",
        adopted_on=datetime.date(2025, 3, 12),
    )
    client.force_login(lesing.cast["staff"])
    html = client.get(reverse("indicators:indicator-detail", args=[lesing.pk])).content.decode()
    assert "kan ikke beregnes: kommunen har ikke noe tall for utgangsåret 2023" in html
    assert "Vedtatt i kommunestyret 12.03.2025 (sak 25/14)" in html
    assert "2,0 prosent bedre enn kommunens tall for 2023" in html


def test_the_findings_read_the_resolved_target_and_never_a_made_up_one(lesing):
    cast = lesing.cast
    _target(lesing, year=2024, kind=TargetKind.BASELINE, baseline_year=2022, change=Decimal("3"))
    overview = findings_overview(cast["sector_leader"])
    texts = [t for reading in overview.attention for t in reading.attention]
    # 44,1 against 41,3 + 3,0 = 44,3: missed.
    assert "Målet for 2024 er ikke nådd: 44,1 prosent mot målet 44,3 prosent." in texts

    Target.objects.all().delete()
    _target(lesing, year=2026, kind=TargetKind.BASELINE, baseline_year=2023, change=Decimal("3"))
    overview = findings_overview(cast["sector_leader"])
    texts = [t for reading in overview.attention for t in reading.attention]
    assert (
        "Målet for 2026 kan ikke beregnes: kommunen har ikke noe tall for utgangsåret 2023."
        in texts
    )


@pytest.mark.parametrize("copies", [1, 10])
def test_the_indicator_page_reads_targets_in_a_fixed_number_of_queries(
    client, lesing, copies, django_assert_num_queries
):
    cast = lesing.cast
    client.force_login(cast["staff"])
    url = reverse("indicators:indicator-detail", args=[lesing.pk])
    for n in range(copies):
        base = _target(lesing, year=2030 + n, value=Decimal("45"))
        TargetMilestone.objects.create(target=base, year=2029 + n - copies, amount=Decimal("44"))
        _target(
            lesing,
            year=2030 + n,
            subgroup=f"kjønn=Gruppe {n}",
            kind=TargetKind.COMPARISON,
            comparison_place=lesing.kostra,
            margin=Decimal("1"),
        )
        _target(
            lesing,
            year=2030 + n,
            unit=cast.school,
            kind=TargetKind.BASELINE,
            baseline_year=2022,
            change=Decimal("1"),
        )
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(QUERIES_DETAIL):
        assert client.get(url).status_code == 200


# Measured once with one target of each kind; the same with ten of each.
QUERIES_DETAIL = 18


# --- The form and the service ---------------------------------------------------------------


def _post(rows, initial=0):
    data = {
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": str(initial),
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"targets-{index}-{key}"] = value
    return data


def _save(client, lesing, rows, initial=0):
    client.force_login(lesing.cast["sector_leader"])
    url = reverse("indicators:indicator-targets", args=[lesing.pk])
    return client.post(url, _post(rows, initial))


def test_the_form_saves_each_kind_with_milestones_and_adoption(client, lesing):
    response = _save(
        client,
        lesing,
        [
            {
                "year": "2026",
                "kind": "baseline",
                "baseline_year": "2022",
                "change": "3",
                "milestones": "2024: 1,5\n2025: 2,25",
                "adoption": "council",
                "council_case": "25/14",
                "adopted_on": "2025-03-12",
            },
            {
                "year": "2027",
                "kind": "comparison",
                "comparison_place": str(lesing.kostra.pk),
                "margin": "0,5",
            },
            {"year": "2028", "kind": "absolute", "value": "48,5"},
        ],
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    baseline, comparison, absolute = Target.objects.order_by("year")
    assert (baseline.kind, baseline.baseline_year, baseline.change) == ("baseline", 2022, 3)
    assert [(m.year, m.amount) for m in baseline.milestones.all()] == [
        (2024, Decimal("1.5")),
        (2025, Decimal("2.25")),
    ]
    assert (baseline.adoption, baseline.council_case) == ("council", "25/14")
    assert baseline.value is None
    assert (comparison.comparison_place, comparison.margin) == (lesing.kostra, Decimal("0.5"))
    assert comparison.adoption == TargetAdoption.ADMINISTRATIVE
    assert absolute.value == Decimal("48.5")
    assert TargetChange.objects.filter(action="added").count() == 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"year": "2026", "value": "45", "adoption": "council"},
            "Oppgi saksnummeret i kommunestyret når målet er vedtatt.",
        ),
        (
            {"year": "2026", "value": "45", "adoption": "council", "council_case": "25/1"},
            "Oppgi datoen kommunestyret vedtok målet.",
        ),
        (
            {
                "year": "2026",
                "value": "45",
                "adoption": "council",
                "council_case": "25/1",
                "adopted_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            },
            "Vedtaksdatoen kan ikke være fram i tid.",
        ),
        (
            {"year": "2026", "kind": "baseline", "baseline_year": "2027", "change": "1"},
            "Utgangsåret kan ikke være etter målåret.",
        ),
        (
            {"year": "2026", "kind": "baseline", "change": "1"},
            "Oppgi utgangsåret målet måles fra.",
        ),
        (
            {
                "year": "2026",
                "kind": "baseline",
                "baseline_year": "2022",
                "change": "1",
                "milestones": "2022: 0,5",
            },
            "Delmålet for 2022 må ligge mellom utgangsåret 2022 og målåret 2026.",
        ),
        (
            {"year": "2026", "value": "45", "milestones": "2027: 46"},
            "Delmålet for 2027 må ligge før målåret 2026.",
        ),
        (
            {"year": "2026", "value": "45", "milestones": "neste år: mye"},
            "Kunne ikke lese delmålet «neste år: mye».",
        ),
        (
            {"year": "2026", "kind": "baseline", "baseline_year": "2022", "change": "-1"},
            "Skriv et tall som er 0 eller større: retningen følger indikatoren.",
        ),
        (
            {"year": "2026", "kind": "comparison", "margin": "1"},
            "Velg stedet målet sammenlignes med.",
        ),
        ({"year": "2026", "kind": "absolute"}, "Oppgi målverdien."),
        (
            {
                "year": "2026",
                "value": "45",
                "council_case": "25\u202e/14",
                "adoption": "council",
                "adopted_on": "2025-01-01",
            },
            "usynlige styretegn",
        ),
        ({"year": "2026", "value": "45", "milestones": "2025: 1\n" * 100_000}, "500 tegn"),
    ],
)
def test_bad_targets_are_refused_in_norwegian_and_nothing_is_written(client, lesing, row, message):
    _target(lesing, year=2020, value=Decimal("40"))
    before = list(Target.objects.values_list("pk", "year", "value"))
    response = _save(client, lesing, [row])
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Target.objects.values_list("pk", "year", "value")) == before
    assert not TargetChange.objects.exists()


def test_forged_ids_of_another_municipality_or_a_municipality_place_are_refused(client, lesing):
    cast = lesing.cast
    neighbour = PlaceFactory(level=PlaceLevel.MUNICIPALITY, code="9902", name="Nabovik")
    observe(lesing, neighbour, 2024, "50")
    for row in (
        {
            "year": "2026",
            "kind": "comparison",
            "comparison_place": str(neighbour.pk),
            "margin": "1",
        },
        {"year": "2026", "value": "45", "unit": str(cast.other_unit.pk)},
        {
            "year": "2026",
            "kind": "comparison",
            "comparison_place": "99999999999999999999",
            "margin": "1",
        },
    ):
        response = _save(client, lesing, [row])
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            "Velg landet, et fylke eller en KOSTRA-gruppe" in html
            or "Velg en enhet i kommunen." in html
        )
    assert not Target.objects.exists()


def test_the_service_refuses_a_municipality_level_place_the_form_did_not_offer(lesing):
    from django.core.exceptions import ValidationError

    from indicators.services.indicators import indicator_targets_save

    cast = lesing.cast
    with pytest.raises(ValidationError, match="KOSTRA-gruppe"):
        indicator_targets_save(
            indicator=lesing,
            municipality=cast.municipality,
            rows=[
                {
                    "year": 2026,
                    "kind": "comparison",
                    "comparison_place": lesing.municipality_place,
                    "margin": Decimal(1),
                }
            ],
            actor=cast["sector_leader"],
        )
    assert not Target.objects.exists()


def _adopted(lesing):
    return _target(
        lesing,
        year=2026,
        value=Decimal("45"),
        adoption=TargetAdoption.COUNCIL,
        council_case="25/14",
        adopted_on=datetime.date(2025, 3, 12),
    )


ADOPTED_ROW = {
    "year": "2026",
    "value": "45",
    "adoption": "council",
    "council_case": "25/14",
    "adopted_on": "2025-03-12",
}


def test_an_adopted_target_changes_only_with_a_new_adoption_and_the_change_is_kept(client, lesing):
    _adopted(lesing)
    response = _save(client, lesing, [ADOPTED_ROW | {"value": "47"}], initial=1)
    assert response.status_code == 200
    assert "er vedtatt i kommunestyret (sak 25/14)" in response.content.decode()
    assert Target.objects.get().value == Decimal("45")

    new_adoption = ADOPTED_ROW | {"value": "47", "council_case": "26/3", "adopted_on": "2026-02-01"}
    if datetime.date(2026, 2, 1) > timezone.localdate():
        new_adoption["adopted_on"] = timezone.localdate().isoformat()
    assert _save(client, lesing, [new_adoption], initial=1).status_code == 302
    target = Target.objects.get()
    assert (target.value, target.council_case) == (Decimal("47"), "26/3")
    change = TargetChange.objects.get()
    assert change.action == "changed"
    assert change.actor == lesing.cast["sector_leader"]
    assert {f["field"] for f in change.fields} == {"Mål", "Vedtak"}


def test_an_adopted_target_is_not_deleted_but_may_be_marked_administrative(client, lesing):
    _adopted(lesing)
    response = _save(client, lesing, [ADOPTED_ROW | {"DELETE": "on"}], initial=1)
    assert "kan ikke slettes" in response.content.decode()
    assert Target.objects.exists()
    row = {"year": "2026", "value": "46", "adoption": "administrative"}
    assert _save(client, lesing, [row], initial=1).status_code == 302
    assert Target.objects.get().adoption == TargetAdoption.ADMINISTRATIVE
    assert _save(client, lesing, [row | {"DELETE": "on"}], initial=1).status_code == 302
    assert not Target.objects.exists()
    assert list(TargetChange.objects.order_by("pk").values_list("action", flat=True)) == [
        "changed",
        "removed",
    ]


def test_the_history_is_on_the_targets_page(client, lesing):
    _save(client, lesing, [{"year": "2026", "value": "45"}])
    html = client.get(reverse("indicators:indicator-targets", args=[lesing.pk])).content.decode()
    assert "Mål for 2026 (Hele kommunen, Alle)" in html
