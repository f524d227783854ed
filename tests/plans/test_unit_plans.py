"""Unit development plans: the workflow, the optimistic lock, the history, and the pages
with and without htmx."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import (
    Attainment,
    Measure,
    MeasureStatus,
    PlanChange,
    TargetGroup,
    UnitPlan,
    UnitPlanStatus,
)
from plans.schoolyear import SchoolYear
from plans.services import unit_plans as services
from plans.services.history import EditConflict, PlanLocked
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    QualityPlanFactory,
    UnitFactory,
    UnitGoalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def measure_post(c, **overrides):
    data = {
        "description": "Vennskapsgrupper på tvers av trinn",
        "component": c.components[0].pk,
        "responsible": c["staff"].pk,
        "start": "2026-09-01",
        "end": "2027-06-15",
        "status": MeasureStatus.PLANNED,
        "target_groups": [TargetGroup.STAFF, TargetGroup.CHILDREN],
    }
    data.update(overrides)
    return data


# --- Services ---------------------------------------------------------------------------


def test_new_plan_starts_from_last_years_and_carries_only_unfinished_measures(plan_cast):
    c = plan_cast
    last_year = c.school_plan
    MeasureFactory(
        plan=last_year,
        component=c.components[0],
        description="Ferdig tiltak",
        status=MeasureStatus.DONE,
    )
    plan = services.unit_plan_create(
        unit=c.school, school_year=last_year.school_year + 1, actor=c["unit_leader"]
    )
    assert plan.based_on == last_year
    assert list(plan.areas.all()) == [c.areas[0]]
    assert list(plan.components.all()) == [c.components[0]]
    assert [g.text for g in plan.goals.all()] == ["Mål for Solvik barneskole"]
    assert [m.description for m in plan.measures.all()] == ["Leseløftet i 1.–4. trinn"]
    carried = plan.measures.get()
    assert carried.start.year == last_year.measures.first().start.year + 1
    change = plan.changes.get()
    assert "1 uferdige tiltak" in change.subject
    assert change.actor == c["unit_leader"]


def test_new_plan_follows_components_into_a_newer_revision_by_key(plan_cast):
    c = plan_cast
    revision = QualityPlanFactory(
        municipality=c.municipality,
        revision=2,
        previous=c.quality_plan,
        adopted_on=datetime.date.today(),
    )
    area = revision.areas.create(key=c.areas[0].key, name="Inkluderende miljø", goal="Mål")
    component = area.components.create(key=c.components[0].key, name="Tilhørighet (ny tekst)")
    plan = services.unit_plan_create(
        unit=c.school, school_year=c.school_plan.school_year + 1, actor=c["unit_leader"]
    )
    assert plan.quality_plan == revision
    assert list(plan.areas.all()) == [area]
    assert plan.measures.get().component == component


def test_no_plan_without_an_adopted_quality_plan(cast):
    with pytest.raises(PlanLocked, match="ingen vedtatt kvalitetsplan"):
        services.unit_plan_create(unit=cast.school, school_year=2026, actor=cast["unit_leader"])


def test_one_plan_per_unit_and_year(plan_cast):
    with pytest.raises(ValidationError, match="har allerede en plan"):
        services.unit_plan_create(
            unit=plan_cast.school,
            school_year=plan_cast.school_plan.school_year,
            actor=plan_cast["unit_leader"],
        )


def test_a_save_from_a_stale_version_is_a_conflict_and_the_first_save_stands(plan_cast):
    c = plan_cast
    measure = c.school_plan.measures.get()
    loaded = measure.version
    services.unit_plan_part_save(
        plan=c.school_plan,
        model=Measure,
        instance=measure,
        data={"description": "Første lagring"},
        expected_version=loaded,
        actor=c["unit_leader"],
    )
    with pytest.raises(EditConflict) as caught:
        services.unit_plan_part_save(
            plan=c.school_plan,
            model=Measure,
            instance=measure,
            data={"description": "Andre lagring"},
            expected_version=loaded,
            actor=c["unit_leader"],
        )
    assert caught.value.current.description == "Første lagring"
    assert caught.value.attempted == {"description": "Andre lagring"}
    measure.refresh_from_db()
    assert measure.description == "Første lagring"
    assert measure.version == loaded + 1


def test_every_change_is_recorded_with_who_and_what(plan_cast):
    c = plan_cast
    measure = c.school_plan.measures.get()
    services.unit_plan_part_save(
        plan=c.school_plan,
        model=Measure,
        instance=measure,
        data={"status": MeasureStatus.IN_PROGRESS, "description": "Leseløftet for alle"},
        expected_version=measure.version,
        actor=c["unit_leader"],
    )
    change = PlanChange.objects.get(unit_plan=c.school_plan)
    assert change.actor == c["unit_leader"]
    assert change.action == "changed"
    assert {"field": "Status", "old": "Planlagt", "new": "Pågår"} in change.fields
    assert {
        "field": "Tiltak",
        "old": "Leseløftet i 1.–4. trinn",
        "new": "Leseløftet for alle",
    } in change.fields


def test_submit_needs_areas_goals_and_measures(plan_cast):
    c = plan_cast
    empty = UnitPlan.objects.create(
        unit=c.school, quality_plan=c.quality_plan, school_year=c.school_plan.school_year + 1
    )
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_submit(plan=empty, actor=c["unit_leader"])
    assert caught.value.messages == [
        "Velg minst ett utviklingsområde.",
        "Skriv minst ett lokalt mål.",
        "Legg til minst ett tiltak.",
        "Velg hvem som er ansvarlig for oppfølging av planen.",
    ]
    empty.refresh_from_db()
    assert empty.status == UnitPlanStatus.DRAFT


def test_submitted_plan_is_locked_until_returned_then_approved(plan_cast):
    c = plan_cast
    plan = services.unit_plan_submit(plan=c.school_plan, actor=c["unit_leader"])
    measure = plan.measures.get()
    with pytest.raises(PlanLocked):
        services.unit_plan_part_save(
            plan=plan, model=Measure, instance=measure, data={"description": "x"}, actor=None
        )
    with pytest.raises(ValidationError):
        services.unit_plan_return(plan=plan, actor=c["sector_leader"], comment="  ")
    plan = services.unit_plan_return(
        plan=plan, actor=c["sector_leader"], comment="Ta med foresatte i tiltakene."
    )
    assert plan.status == UnitPlanStatus.RETURNED
    services.unit_plan_part_save(
        plan=plan,
        model=Measure,
        instance=measure,
        data={"target_groups": [TargetGroup.GUARDIANS, TargetGroup.CHILDREN]},
        actor=c["unit_leader"],
    )
    plan = services.unit_plan_submit(plan=plan, actor=c["unit_leader"])
    plan = services.unit_plan_approve(plan=plan, actor=c["sector_leader"])
    assert plan.status == UnitPlanStatus.APPROVED
    assert plan.reviewed_by == c["sector_leader"]
    actions = list(plan.changes.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["submitted", "returned", "changed", "submitted", "approved"]


def test_after_approval_only_follow_up_fields_change(plan_cast):
    c = plan_cast
    plan = c.kindergarten_plan
    measure = plan.measures.get()
    services.unit_plan_part_save(
        plan=plan,
        model=Measure,
        instance=measure,
        data={"status": MeasureStatus.DONE, "evaluation": "Gikk bra."},
        actor=c["sector_leader"],
    )
    with pytest.raises(PlanLocked, match=r"kan ikke endres.*Tiltak"):
        services.unit_plan_part_save(
            plan=plan, model=Measure, instance=measure, data={"description": "Ny"}, actor=None
        )
    with pytest.raises(PlanLocked, match="Nye mål og tiltak"):
        services.unit_plan_part_save(
            plan=plan,
            model=Measure,
            data={"description": "Nytt", "component": c.components[0]},
            actor=None,
        )


def test_evaluation_needs_attainment_and_final_statuses(plan_cast):
    c = plan_cast
    plan = c.kindergarten_plan
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_evaluate(plan=plan, actor=c["unit_leader"], evaluation="")
    assert len(caught.value.messages) == 3
    plan.goals.update(attainment=Attainment.PARTLY)
    plan.measures.update(status=MeasureStatus.POSTPONED)
    plan = services.unit_plan_evaluate(
        plan=plan, actor=c["unit_leader"], evaluation="Et godt år med språkgrupper."
    )
    assert plan.status == UnitPlanStatus.EVALUATED
    with pytest.raises(PlanLocked):
        services.unit_plan_part_save(
            plan=plan,
            model=Measure,
            instance=plan.measures.get(),
            data={"status": MeasureStatus.DONE},
            actor=None,
        )


def test_service_refuses_components_and_people_from_elsewhere(plan_cast):
    c = plan_cast
    foreign_component = c.other_plan.measures.get().component
    outsider = UserFactory(username="utenfra")
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_part_save(
            plan=c.school_plan,
            model=Measure,
            data={
                "description": "Lurt tiltak",
                "component": foreign_component,
                "responsible": outsider,
                "start": datetime.date(2026, 9, 1),
                "end": datetime.date(2026, 10, 1),
                "target_groups": [TargetGroup.STAFF],
            },
            actor=c["unit_leader"],
        )
    assert set(caught.value.message_dict) == {"component", "responsible"}


# --- Pages ------------------------------------------------------------------------------


def test_unit_leader_adds_a_measure_without_javascript(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "measure"])
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    response = client.post(url, measure_post(c))
    assert response.status_code == 302
    assert response["Location"].endswith("#section-measure")
    assert c.school_plan.measures.filter(description__startswith="Vennskapsgrupper").exists()


def test_unit_leader_adds_a_measure_inline_with_htmx(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "measure"])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert f'hx-post="{url}"' in fragment
    response = client.post(url, measure_post(c), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#section-measure"
    body = response.content.decode()
    assert body.lstrip().startswith("{") is False
    assert 'id="section-measure"' in body
    assert "Vennskapsgrupper på tvers av trinn" in body


def test_invalid_measure_keeps_the_input_and_explains_in_norwegian(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "measure"])
    response = client.post(
        url, measure_post(c, end="2026-08-01", target_groups=[]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "Sluttdatoen kan ikke være før startdatoen." in body
    assert "Vennskapsgrupper på tvers av trinn" in body
    assert not c.school_plan.measures.filter(description__startswith="Vennskap").exists()


def test_a_measure_for_one_group_only_gets_a_simultaneity_warning(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "measure"])
    response = client.post(url, measure_post(c, target_groups=[TargetGroup.STAFF]), follow=True)
    body = response.content.decode()
    assert "Tiltaket når bare én målgruppe" in body
    assert "Når bare én målgruppe (samtidighet)" in body


def test_two_editors_the_second_sees_both_versions_and_loses_nothing(plan_cast, client):
    c = plan_cast
    measure = c.school_plan.measures.get()
    url = reverse("plans:unit-plan-part-edit", args=[c.school_plan.pk, "measure", measure.pk])
    colleague = UserFactory(username="nestleder", first_name="Nora", last_name="Nestleder")
    MembershipFactory(
        user=colleague, municipality=c.municipality, unit=c.school, role="unit_leader"
    )
    first, second = client, type(client)()
    first.force_login(c["unit_leader"])
    second.force_login(colleague)
    version = first.get(url).context["form"]["version"].value()
    assert second.get(url).context["form"]["version"].value() == version

    saved = first.post(url, measure_post(c, description="Leseløftet – første", version=version))
    assert saved.status_code == 302
    clash = second.post(url, measure_post(c, description="Leseløftet – andre", version=version))
    assert clash.status_code == 409
    body = clash.content.decode()
    assert "Noen andre har lagret endringer mens du skrev" in body
    assert "Leseløftet – første" in body  # the saved version
    assert "Leseløftet – andre" in body  # what the second editor typed, kept in the form
    measure.refresh_from_db()
    assert measure.description == "Leseløftet – første"

    retry_version = clash.context["form"]["version"].value()
    assert int(retry_version) == measure.version
    resaved = second.post(
        url, measure_post(c, description="Leseløftet – andre", version=retry_version)
    )
    assert resaved.status_code == 302
    measure.refresh_from_db()
    assert measure.description == "Leseløftet – andre"
    history = [ch.fields for ch in c.school_plan.changes.order_by("at", "pk")]
    assert len(history) == 2


def test_plan_edit_conflict_on_the_plan_itself(plan_cast, client_for):
    c = plan_cast
    url = reverse("plans:unit-plan-edit", args=[c.school_plan.pk])
    client = client_for(c["unit_leader"])
    version = client.get(url).context["form"]["version"].value()
    data = {"summary": "Vi satser på lesing.", "areas": [c.areas[0].pk], "version": version}
    assert client.post(url, data).status_code == 302
    clash = client.post(url, {**data, "summary": "Vi satser på vennskap."})
    assert clash.status_code == 409
    assert "Vi satser på vennskap." in clash.content.decode()


def test_components_must_belong_to_chosen_areas(plan_cast, client_for):
    c = plan_cast
    url = reverse("plans:unit-plan-edit", args=[c.school_plan.pk])
    client = client_for(c["unit_leader"])
    response = client.post(
        url,
        {
            "summary": "",
            "areas": [c.areas[0].pk],
            "components": [c.components[2].pk],
            "version": c.school_plan.version,
        },
    )
    assert response.status_code == 200
    assert "hører til et område planen ikke har valgt" in response.content.decode()


def test_staff_reads_their_units_plan_without_edit_controls(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["staff"])
    body = client.get(reverse("plans:unit-plan-detail", args=[c.school_plan.pk])).content
    body = body.decode()
    assert "Leseløftet i 1.–4. trinn" in body
    assert reverse("plans:unit-plan-edit", args=[c.school_plan.pk]) not in body
    assert "Legg til tiltak" not in body


def test_staff_of_another_unit_does_not_find_a_draft(plan_cast, client_for):
    c = plan_cast
    teacher = UserFactory(username="barnehagelaerer")
    MembershipFactory(user=teacher, municipality=c.municipality, unit=c.kindergarten)
    client = client_for(teacher)
    assert client.get(reverse("plans:unit-plan-detail", args=[c.school_plan.pk])).status_code == 404
    listed = client.get(reverse("plans:unit-plan-list")).context["plans"]
    assert c.school_plan not in listed
    assert c.kindergarten_plan in listed


def test_elected_official_reads_summaries_without_names(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["elected_official"])
    detail = client.get(reverse("plans:unit-plan-detail", args=[c.kindergarten_plan.pk]))
    assert detail["Location"] == reverse("plans:unit-plan-summary", args=[c.kindergarten_plan.pk])
    body = client.get(detail["Location"]).content.decode()
    assert "Språkgrupper i barnehagen" in body
    assert c["staff"].get_full_name() not in body
    listed = client.get(reverse("plans:unit-plan-list"))
    assert set(listed.context["plans"]) == {c.kindergarten_plan}
    history = reverse("plans:unit-plan-history", args=[c.kindergarten_plan.pk])
    assert client.get(history).status_code == 403


def test_sector_leader_returns_with_comment_then_approves(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["sector_leader"])
    url = reverse("plans:unit-plan-review", args=[c.sfo_plan.pk])
    missing = client.post(url, {"decision": "return", "comment": ""})
    assert "Skriv hva enheten skal endre" in missing.content.decode()
    client.post(url, {"decision": "return", "comment": "Legg til medvirkning fra elevrådet."})
    c.sfo_plan.refresh_from_db()
    assert c.sfo_plan.status == UnitPlanStatus.RETURNED
    leader_page = client_for(c["unit_leader"]).get(
        reverse("plans:unit-plan-detail", args=[c.sfo_plan.pk])
    )
    assert "Legg til medvirkning fra elevrådet." in leader_page.content.decode()
    submit = reverse("plans:unit-plan-submit", args=[c.sfo_plan.pk])
    assert client_for(c["unit_leader"]).post(submit).status_code == 302
    client = client_for(c["sector_leader"])
    client.post(url, {"decision": "approve", "comment": ""})
    c.sfo_plan.refresh_from_db()
    assert c.sfo_plan.status == UnitPlanStatus.APPROVED


def test_unit_leader_creates_the_next_years_plan_from_the_list(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-create", args=[c.school.pk])
    next_year = SchoolYear.current().start_year + 1
    prefix = f"unit{c.school.pk}"
    response = client.post(
        url, {f"{prefix}-school_year": next_year, f"{prefix}-start_from_previous": "on"}
    )
    plan = UnitPlan.objects.get(unit=c.school, school_year=next_year)
    assert response["Location"] == reverse("plans:unit-plan-detail", args=[plan.pk])
    assert plan.measures.count() == 1
    other = reverse("plans:unit-plan-create", args=[c.kindergarten.pk])
    assert (
        client.post(other, {f"unit{c.kindergarten.pk}-school_year": next_year}).status_code == 403
    )


def test_history_page_shows_a_word_diff(plan_cast, client_for):
    c = plan_cast
    measure = c.school_plan.measures.get()
    services.unit_plan_part_save(
        plan=c.school_plan,
        model=Measure,
        instance=measure,
        data={"description": "Leseløftet i 1.–7. trinn"},
        actor=c["unit_leader"],
    )
    body = (
        client_for(c["staff"])
        .get(reverse("plans:unit-plan-history", args=[c.school_plan.pk]))
        .content.decode()
    )
    assert "<del>1.–4.</del><ins>1.–7.</ins>" in body
    assert c["unit_leader"].get_full_name() in body


def _count_detail_queries(client, plan) -> int:
    url = reverse("plans:unit-plan-detail", args=[plan.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_plan_page_queries_do_not_grow_with_measures(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    few = _count_detail_queries(client, c.school_plan)
    for n in range(20):
        MeasureFactory(
            plan=c.school_plan,
            component=c.components[n % 2],
            description=f"Tiltak {n}",
            responsible=c["staff"] if n % 2 else None,
        )
        UnitGoalFactory(plan=c.school_plan, area=c.areas[0])
    c.school_plan.participation.create(phase="planning", participants="FAU", method="Møte")
    assert _count_detail_queries(client, c.school_plan) == few


def test_unknown_part_is_not_found(plan_cast, client_for):
    c = plan_cast
    url = reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "budget"])
    assert client_for(c["unit_leader"]).get(url).status_code == 404


def test_a_unit_that_is_not_led_cannot_get_a_plan(plan_cast, client_for):
    c = plan_cast
    unit = UnitFactory(municipality=c.municipality, name="Ny skole")
    url = reverse("plans:unit-plan-create", args=[unit.pk])
    response = client_for(c["unit_leader"]).post(url, {f"unit{unit.pk}-school_year": 2026})
    assert response.status_code == 403


def test_home_shows_my_units_plans_and_the_sector_leaders_queue(plan_cast, client_for):
    c = plan_cast
    leader_home = client_for(c["unit_leader"]).get(reverse("home")).content.decode()
    assert reverse("plans:unit-plan-detail", args=[c.school_plan.pk]) in leader_home
    assert reverse("plans:unit-plan-detail", args=[c.sfo_plan.pk]) in leader_home
    assert "Sendt til godkjenning" in leader_home
    chief_home = client_for(c["sector_leader"]).get(reverse("home")).content.decode()
    assert reverse("plans:unit-plan-review", args=[c.sfo_plan.pk]) in chief_home
    assert reverse("plans:unit-plan-review", args=[c.school_plan.pk]) not in chief_home


def test_superuser_sees_plans_in_the_admin_but_cannot_change_them(plan_cast, client):
    c = plan_cast
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    for name, pk in (
        ("unitplan", c.school_plan.pk),
        ("qualityplan", c.quality_plan.pk),
    ):
        page = client.get(reverse(f"admin:plans_{name}_change", args=[pk]))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:plans_planchange_changelist")).status_code == 200
    assert client.get(reverse("admin:plans_unitplan_add")).status_code == 403


def _count_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_plan_list_queries_do_not_grow_with_plans(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["sector_leader"])
    url = reverse("plans:unit-plan-list")
    few = _count_queries(client, url)
    for n in range(30):
        unit = UnitFactory(municipality=c.municipality, name=f"Skole {n}")
        UnitPlan.objects.create(unit=unit, quality_plan=c.quality_plan, school_year=2025)
    assert _count_queries(client, url) == few


def test_quality_plan_page_queries_do_not_grow_with_areas(plan_cast, client_for):
    from tests.factories import CoreComponentFactory, DevelopmentAreaFactory

    c = plan_cast
    client = client_for(c["staff"])
    url = reverse("plans:quality-plan-detail", args=[c.quality_plan.pk])
    few = _count_queries(client, url)
    for n in range(8):
        area = DevelopmentAreaFactory(plan=c.quality_plan, name=f"Område {n}")
        CoreComponentFactory(area=area)
        area.characteristics.create(text=f"Kjennetegn {n}")
        c.quality_plan.values.create(name=f"Verdi {n}", meaning="Betyr")
        c.quality_plan.anchorings.create(kind="lov", title=f"Lov {n}")
    assert _count_queries(client, url) == few


def test_end_of_year_evaluation_per_goal_and_measure_through_the_pages(plan_cast, client_for):
    c = plan_cast
    plan = services.unit_plan_submit(plan=c.school_plan, actor=c["unit_leader"])
    plan = services.unit_plan_approve(plan=plan, actor=c["sector_leader"])
    client = client_for(c["unit_leader"])
    evaluate = reverse("plans:unit-plan-evaluate", args=[plan.pk])
    page = client.get(evaluate).content.decode()
    assert "Vurder måloppnåelsen for alle mål (1 mangler)." in page

    goal, measure = plan.goals.get(), plan.measures.get()
    goal_form = client.get(reverse("plans:unit-plan-part-edit", args=[plan.pk, "goal", goal.pk]))
    assert set(goal_form.context["form"].fields) == {"attainment", "evaluation", "version"}
    client.post(
        reverse("plans:unit-plan-part-edit", args=[plan.pk, "goal", goal.pk]),
        {"attainment": Attainment.MET, "evaluation": "Flere leser hjemme.", "version": 1},
    )
    client.post(
        reverse("plans:unit-plan-part-edit", args=[plan.pk, "measure", measure.pk]),
        {
            "status": MeasureStatus.DONE,
            "end": "2027-06-15",
            "evaluation": "Gjennomført i alle klasser.",
            "version": measure.version,
        },
    )
    version = client.get(evaluate).context["form"]["version"].value()
    response = client.post(evaluate, {"evaluation": "Et år med mye lesing.", "version": version})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.status == UnitPlanStatus.EVALUATED
    goal.refresh_from_db()
    measure.refresh_from_db()
    assert (goal.attainment, measure.status) == (Attainment.MET, MeasureStatus.DONE)
    summary = client_for(c["elected_official"]).get(
        reverse("plans:unit-plan-summary", args=[plan.pk])
    )
    assert "Et år med mye lesing." in summary.content.decode()
    assert "Nådd" in summary.content.decode()
