"""The trace of a development area (issue 20): a measure cites the input that motivated
it and a mark of good practice the input it came from — edited where they are made, with
forged ids refused — and the trace page follows those links from what was said to the
measures, the indicators and the evaluation, in each viewer's own scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import Target
from plans.models import (
    Attainment,
    Measure,
    MeasureStatus,
    PlanChange,
    PracticeCharacteristic,
)
from plans.schoolyear import SchoolYear
from plans.selectors.trace import area_trace, scope_for, scope_published
from plans.services.quality_plan import quality_plan_part_save, quality_plan_revise
from plans.services.unit_plans import unit_plan_create, unit_plan_part_save
from tests.factories import (
    MeasureFactory,
    UnitGoalFactory,
)
from tests.indicators.factories_pages import IndicatorFactory, country, observe_many, solvik
from tests.plans.test_participation import ParticipationInputFactory, UserJourneyFactory


def _this_year() -> datetime.date:
    return SchoolYear.current().start + datetime.timedelta(days=30)


@pytest.fixture
def traced(plan_cast):
    """Solvik's first area with input (one shared, one without consent), a journey, a
    mark of good practice citing the shared input and one citing nothing, and measures:
    the kindergarten's (approved) citing both inputs, the school's (draft) citing the
    shared one. Nabovik has input of its own."""
    c = plan_cast
    area = c.areas[0]
    shared = ParticipationInputFactory(
        municipality=c.municipality, quote="Jeg vil ha noen å leke med.", given_on=_this_year()
    )
    private = ParticipationInputFactory(
        municipality=c.municipality,
        quote="Hemmelig: ingen vil være med meg.",
        publishable=False,
        given_on=_this_year(),
    )
    elsewhere = ParticipationInputFactory(
        municipality=c.municipality, quote="Om tidlig innsats.", given_on=_this_year()
    )
    journey = UserJourneyFactory(
        municipality=c.municipality, title="Fra barnehage til skole", carried_out_on=_this_year()
    )
    for item in (shared, private):
        item.areas.add(area)
    elsewhere.areas.add(c.areas[1])
    journey.areas.add(area)
    foreign_area = c.other_plan.quality_plan.areas.get()
    foreign = ParticipationInputFactory(
        municipality=c.other_municipality, quote="Naboviks fortelling.", given_on=_this_year()
    )
    foreign.areas.add(foreign_area)
    mark = PracticeCharacteristic.objects.create(area=area, text="Alle barn har en venn.", order=1)
    mark.source_inputs.add(shared)
    bare = PracticeCharacteristic.objects.create(area=area, text="Voksne ser hvert barn.", order=2)
    approved = c.kindergarten_plan.measures.get()
    approved.motivated_by_inputs.add(shared, private)
    approved.motivated_by_journeys.add(journey)
    draft = c.school_plan.measures.get()
    draft.motivated_by_inputs.add(shared)
    c.traced = {
        "area": area,
        "shared": shared,
        "private": private,
        "elsewhere": elsewhere,
        "journey": journey,
        "foreign": foreign,
        "mark": mark,
        "bare": bare,
        "approved": approved,
        "draft": draft,
    }
    return c


# --- editing the links ----------------------------------------------------------------------


def _measure_form(c, measure, **changes):
    data = {
        "description": measure.description,
        "component": str(measure.component_id),
        "responsible": str(measure.responsible_id or ""),
        "start": measure.start.isoformat(),
        "end": measure.end.isoformat(),
        "status": measure.status,
        "target_groups": measure.target_groups,
        "version": str(measure.version),
    }
    data.update(changes)
    return data


def test_unit_leader_cites_input_in_the_measure_form_and_the_history_says_so(traced, client_for):
    c, t = traced, traced.traced
    measure = t["draft"]
    url = reverse("plans:unit-plan-part-edit", args=[c.school_plan.pk, "measure", measure.pk])
    page = client_for(c["unit_leader"]).get(url).content.decode()
    # Offered: the municipality's input on the plan's areas; not Nabovik's.
    assert "Jeg vil ha noen å leke med." in page
    assert "Om tidlig innsats." in page
    assert "Naboviks fortelling." not in page
    response = client_for(c["unit_leader"]).post(
        url,
        _measure_form(
            c,
            measure,
            motivated_by_inputs=[str(t["shared"].pk), str(t["private"].pk)],
            motivated_by_journeys=[str(t["journey"].pk)],
        ),
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert set(measure.motivated_by_inputs.all()) == {t["shared"], t["private"]}
    assert list(measure.motivated_by_journeys.all()) == [t["journey"]]
    change = PlanChange.objects.filter(unit_plan=c.school_plan).latest("pk")
    labels = {field["field"] for field in change.fields}
    assert {"Begrunnet i innspill", "Begrunnet i brukerreiser"} <= labels


def test_a_new_measure_keeps_the_input_it_cites(traced):
    c, t = traced, traced.traced
    measure = unit_plan_part_save(
        plan=c.school_plan,
        model=Measure,
        data={
            "description": "Vennebenk i skolegården",
            "component": c.components[0],
            "start": _this_year(),
            "end": _this_year() + datetime.timedelta(days=60),
            "status": MeasureStatus.PLANNED,
            "target_groups": ["barn_unge", "ansatte"],
            "motivated_by_inputs": [t["shared"]],
            "motivated_by_journeys": [],
        },
        actor=c["unit_leader"],
    )
    assert list(measure.motivated_by_inputs.all()) == [t["shared"]]
    change = PlanChange.objects.filter(unit_plan=c.school_plan, action="added").latest("pk")
    assert any(
        f["field"] == "Begrunnet i innspill" and "leke med" in f["new"] for f in change.fields
    )


def test_forged_input_of_another_municipality_is_refused_in_norwegian_and_nothing_saved(
    traced, client_for
):
    c, t = traced, traced.traced
    measure = t["draft"]
    url = reverse("plans:unit-plan-part-edit", args=[c.school_plan.pk, "measure", measure.pk])
    response = client_for(c["unit_leader"]).post(
        url,
        _measure_form(c, measure, description="Endret", motivated_by_inputs=[str(t["foreign"].pk)]),
    )
    assert response.status_code == 200
    assert "Velg et gyldig valg" in response.content.decode()
    measure.refresh_from_db()
    assert measure.description != "Endret"
    # The service refuses it too, without naming what the id was.
    with pytest.raises(ValidationError) as refused:
        unit_plan_part_save(
            plan=c.school_plan,
            model=Measure,
            data={"motivated_by_inputs": [t["foreign"]]},
            actor=c["unit_leader"],
            instance=measure,
        )
    message = " ".join(refused.value.messages)
    assert "begrunnes i innspill om utviklingsområdet" in message
    assert "Naboviks" not in message
    assert list(measure.motivated_by_inputs.all()) == [t["shared"]]


def test_input_on_another_area_than_the_measures_is_refused(traced, client_for):
    c, t = traced, traced.traced
    measure = t["draft"]
    url = reverse("plans:unit-plan-part-edit", args=[c.school_plan.pk, "measure", measure.pk])
    # Offered (the plan has both areas), but the measure's component is on the first.
    response = client_for(c["unit_leader"]).post(
        url, _measure_form(c, measure, motivated_by_inputs=[str(t["elsewhere"].pk)])
    )
    assert response.status_code == 200
    assert "Tiltaket kan bare begrunnes i innspill om utviklingsområdet" in (
        response.content.decode()
    )
    assert list(measure.motivated_by_inputs.all()) == [t["shared"]]


def test_input_the_editor_may_not_see_is_refused_by_the_service(traced):
    """Elected officials see only consented input: a forged id of unconsented input is
    refused for them, whatever else lets them through."""
    c, t = traced, traced.traced
    with pytest.raises(ValidationError):
        unit_plan_part_save(
            plan=c.school_plan,
            model=Measure,
            data={"motivated_by_inputs": [t["private"]]},
            actor=c["elected_official"],
            instance=t["draft"],
        )


def _draft_revision(c):
    return quality_plan_revise(plan=c.quality_plan, actor=c["sector_leader"])


def test_mark_of_good_practice_cites_its_input_and_a_revision_keeps_it(traced, client_for):
    c, t = traced, traced.traced
    draft = _draft_revision(c)
    copied = PracticeCharacteristic.objects.get(area__plan=draft, text=t["mark"].text)
    assert list(copied.source_inputs.all()) == [t["shared"]]
    area = copied.area
    url = reverse("plans:quality-plan-part-edit", args=[draft.pk, "characteristic", copied.pk])
    page = client_for(c["sector_leader"]).get(url).content.decode()
    assert "Hemmelig: ingen vil være med meg." in page
    assert "Naboviks fortelling." not in page
    response = client_for(c["sector_leader"]).post(
        url,
        {
            "area": str(area.pk),
            "order": "1",
            "text": copied.text,
            "source_inputs": [str(t["shared"].pk), str(t["private"].pk)],
            "source_journeys": [str(t["journey"].pk)],
        },
    )
    assert response.status_code == 302
    assert set(copied.source_inputs.all()) == {t["shared"], t["private"]}
    change = PlanChange.objects.filter(quality_plan=draft).latest("pk")
    assert {"Bygger på innspill", "Bygger på brukerreiser"} <= {f["field"] for f in change.fields}


def test_mark_refuses_forged_input_of_another_municipality_or_area(traced, client_for):
    c, t = traced, traced.traced
    draft = _draft_revision(c)
    area = draft.areas.get(key=t["area"].key)
    for forged, error in (
        (t["foreign"], "Velg et gyldig valg"),
        (t["elsewhere"], "Kjennetegnet kan bare bygge på innspill om utviklingsområdet"),
    ):
        response = client_for(c["sector_leader"]).post(
            reverse("plans:quality-plan-part-add", args=[draft.pk, "characteristic"]),
            {"area": str(area.pk), "order": "3", "text": "Nytt", "source_inputs": [forged.pk]},
        )
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not PracticeCharacteristic.objects.filter(text="Nytt").exists()
    with pytest.raises(ValidationError):
        quality_plan_part_save(
            plan=draft,
            model=PracticeCharacteristic,
            data={"area": area, "order": 3, "text": "Nytt", "source_inputs": [t["foreign"]]},
            actor=c["sector_leader"],
        )
    assert not PracticeCharacteristic.objects.filter(text="Nytt").exists()


def test_next_years_plan_carries_the_cited_input_of_unfinished_measures(traced):
    c, t = traced, traced.traced
    plan = unit_plan_create(
        unit=c.kindergarten, school_year=c.kindergarten_plan.school_year + 1, actor=c["unit_leader"]
    )
    carried = plan.measures.get()
    assert set(carried.motivated_by_inputs.all()) == {t["shared"], t["private"]}
    assert list(carried.motivated_by_journeys.all()) == [t["journey"]]


# --- the trace page ---------------------------------------------------------------------


def test_sector_leader_follows_a_voice_to_the_mark_and_the_measures(traced, client_for):
    c, t = traced, traced.traced
    response = client_for(c["sector_leader"]).get(reverse("plans:trace", args=[t["area"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    shared, mark = t["shared"], t["mark"]
    # The voice's row, its link to the mark and to both measures; each is a real anchor.
    assert f'id="innspill-{shared.pk}"' in body
    assert f'href="#kjennetegn-{mark.pk}"' in body
    assert f'id="kjennetegn-{mark.pk}"' in body
    for measure in (t["approved"], t["draft"]):
        assert f'href="#tiltak-{measure.pk}"' in body
        assert f'id="tiltak-{measure.pk}"' in body
    assert f'href="#innspill-{shared.pk}"' in body
    assert f'href="#reise-{t["journey"].pk}"' in body
    assert "Uten oppgitt innspill" in body  # the mark that cites nothing
    assert "Hemmelig: ingen vil være med meg." in body
    assert "Om tidlig innsats." not in body  # another area's input
    assert "Naboviks fortelling." not in body


def test_elected_official_sees_only_consented_input_and_published_plans(traced, client_for):
    c, t = traced, traced.traced
    body = (
        client_for(c["elected_official"])
        .get(reverse("plans:trace", args=[t["area"].pk]))
        .content.decode()
    )
    assert "Jeg vil ha noen å leke med." in body
    assert "Hemmelig" not in body
    assert f"innspill-{t['private'].pk}" not in body
    assert "Språkgrupper i barnehagen" in body  # approved
    assert "Leseløftet" not in body  # the school's draft
    assert f"tiltak-{t['draft'].pk}" not in body


def test_staff_of_another_unit_do_not_see_a_draft_they_are_not_part_of(traced, client_for):
    c, t = traced, traced.traced
    body = (
        client_for(c["bti_coordinator"])
        .get(reverse("plans:trace", args=[t["area"].pk]))
        .content.decode()
    )
    assert "Språkgrupper i barnehagen" in body
    assert "Leseløftet" not in body
    assert "Hemmelig: ingen vil være med meg." in body  # members read all input


def test_another_municipalitys_area_is_not_found(traced, client_for):
    c = traced
    foreign_area = c.other_plan.quality_plan.areas.get()
    assert (
        client_for(c["sector_leader"]).get(reverse("plans:trace", args=[foreign_area.pk]))
    ).status_code == 404
    assert (
        client_for(c["other_municipality"]).get(reverse("plans:trace", args=[c.areas[0].pk]))
    ).status_code == 404


def test_area_and_framework_pages_link_to_the_trace(traced, client_for):
    c = traced
    url = reverse("plans:trace", args=[c.areas[0].pk])
    client = client_for(c["staff"])
    assert url in client.get(reverse("plans:framework")).content.decode()
    assert url in client.get(reverse("plans:framework-area", args=[c.areas[0].pk])).content.decode()


def test_indicators_and_evaluation_show_the_trend_against_the_target(traced, client_for):
    c, t = traced, traced.traced
    indicator = IndicatorFactory(
        name="Trives på skolen", higher_is_better=True, unit_of_measure="prosent"
    )
    indicator.areas.add(t["area"])
    observe_many(indicator, solvik(), {2022: "80.0", 2023: "84.0"})
    observe_many(indicator, country(), {2022: "82.0", 2023: "83.0"})
    Target.objects.create(indicator=indicator, municipality=c.municipality, year=2023, value="85")
    goal = c.kindergarten_plan.goals.get()
    goal.attainment, goal.evaluation = Attainment.PARTLY, "Flere har en venn."
    goal.save()
    t["approved"].evaluation = "Språkgruppene virket."
    t["approved"].save()
    body = (
        client_for(c["elected_official"])
        .get(reverse("plans:trace", args=[t["area"].pk]))
        .content.decode()
    )
    assert "Trives på skolen" in body
    assert "84,0 prosent (2023)" in body
    assert "Målverdi for 2023: 85,0 prosent" in body
    assert "Målet for 2023 er ikke nådd: 84,0 prosent mot målet 85,0 prosent." in body
    assert "Utviklingen går i riktig retning" in body
    assert "Delvis nådd" in body
    assert "Flere har en venn." in body
    assert "Språkgruppene virket." in body


def test_published_scope_leaves_out_unconsented_input_and_unapproved_plans(traced):
    c, t = traced, traced.traced
    year = SchoolYear.current().start_year
    mine = area_trace(area=t["area"], school_year=year, scope=scope_for(c["sector_leader"]))
    report = area_trace(area=t["area"], school_year=year, scope=scope_published(c["sector_leader"]))
    assert {v.id for v in mine.voices if v.kind == "input"} == {t["shared"].pk, t["private"].pk}
    assert {v.id for v in report.voices if v.kind == "input"} == {t["shared"].pk}
    submitted = c.sfo_plan.measures.get()
    assert {m.id for m in mine.measures} == {t["approved"].pk, t["draft"].pk, submitted.pk}
    assert {m.id for m in report.measures} == {t["approved"].pk}
    cited = next(m for m in report.measures if m.id == t["approved"].pk).cites
    assert [ref.anchor for ref in cited] == [
        f"innspill-{t['shared'].pk}",
        f"reise-{t['journey'].pk}",
    ]


def _grow(c, times: int) -> None:
    """``times`` more input, journeys, marks, measures, goals and indicators on the area."""
    area = c.areas[0]
    for n in range(times):
        item = ParticipationInputFactory(municipality=c.municipality, given_on=_this_year())
        item.areas.add(area)
        journey = UserJourneyFactory(municipality=c.municipality, carried_out_on=_this_year())
        journey.areas.add(area)
        mark = PracticeCharacteristic.objects.create(area=area, text=f"Kjennetegn {n}", order=n)
        mark.source_inputs.add(item)
        mark.source_journeys.add(journey)
        measure = MeasureFactory(plan=c.kindergarten_plan, component=c.components[0])
        measure.motivated_by_inputs.add(item)
        measure.motivated_by_journeys.add(journey)
        UnitGoalFactory(plan=c.kindergarten_plan, area=area)
        indicator = IndicatorFactory(higher_is_better=True)
        indicator.areas.add(area)
        observe_many(indicator, solvik(), {2022: "10.0", 2023: "11.0"})
        Target.objects.create(
            indicator=indicator, municipality=c.municipality, year=2024, value="12"
        )


def test_trace_page_makes_the_same_number_of_queries_for_tenfold_data(
    traced, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = traced
    url = reverse("plans:trace", args=[c.areas[0].pk])
    client = client_for(c["sector_leader"])
    _grow(c, 1)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as once:
        assert client.get(url).status_code == 200
    _grow(c, 9)
    with django_assert_max_num_queries(len(once.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('id="kjennetegn-') == 12
    assert "Kjennetegn 8" in body


def test_ids_beyond_bigint_are_not_found_or_refused_never_an_error(traced, client_for):
    c, t = traced, traced.traced
    client = client_for(c["unit_leader"])
    assert client.get(f"/plans/trace/{2**63}/").status_code == 404
    measure = t["draft"]
    url = reverse("plans:unit-plan-part-edit", args=[c.school_plan.pk, "measure", measure.pk])
    response = client.post(url, _measure_form(c, measure, motivated_by_inputs=[str(2**63)]))
    assert response.status_code == 200
    assert "Velg et gyldig valg" in response.content.decode()
    assert list(measure.motivated_by_inputs.all()) == [t["shared"]]
    draft = _draft_revision(c)
    response = client_for(c["sector_leader"]).post(
        reverse("plans:quality-plan-part-add", args=[draft.pk, "characteristic"]),
        {
            "area": str(draft.areas.first().pk),
            "order": "3",
            "text": "Nytt",
            "source_inputs": [2**63],
        },
    )
    assert response.status_code == 400
    assert "Velg et gyldig valg" in response.content.decode()


def test_the_plan_page_says_what_each_measure_is_motivated_by(traced, client_for):
    c = traced
    body = (
        client_for(c["unit_leader"])
        .get(reverse("plans:unit-plan-detail", args=[c.school_plan.pk]))
        .content.decode()
    )
    assert "Begrunnet i:" in body
    assert "«Jeg vil ha noen å leke med.»" in body
