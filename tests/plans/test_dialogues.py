"""Leader dialogues (issue 20, line 4): services, privacy, the generated and frozen agenda
(with the indicators' section), agreed points in the unit's follow-up, and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans.access import forget_access
from plans.models import (
    AgreedPoint,
    Dialogue,
    DialogueChange,
    DialogueKind,
    DialogueStatus,
    MeasureStatus,
    PointStatus,
    Role,
)
from plans.schoolyear import SchoolYear
from plans.selectors.dialogues import dialogue_agenda_build
from plans.services import dialogues as services
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.plans.dialogue_helpers import NABO_NOTE, TEAM_NOTE, UNIT_NOTE, build_dialogues

pytestmark = pytest.mark.django_db

YEAR = SchoolYear.current().start_year
TODAY = datetime.date.today()


def _create(c, actor="sector_leader", unit=None, kind=DialogueKind.UNIT, people=None):
    return services.dialogue_create(
        actor=c[actor] if isinstance(actor, str) else actor,
        unit=unit or c.school,
        kind=kind,
        school_year=YEAR,
        held_on=TODAY,
        counterparts=people if people is not None else [c["unit_leader"]],
    )


# --- services -----------------------------------------------------------------------------


def test_create_generates_the_agenda_from_the_plan_measures_and_last_years_points(plan_cast):
    c = plan_cast
    measure = c.school_plan.measures.get()
    measure.end = TODAY - datetime.timedelta(days=3)
    measure.save()
    last_year = services.dialogue_create(
        actor=c["sector_leader"],
        unit=c.school,
        kind=DialogueKind.UNIT,
        school_year=YEAR - 1,
        held_on=TODAY - datetime.timedelta(days=300),
        counterparts=[c["unit_leader"]],
    )
    services.agreed_point_add(
        actor=c["sector_leader"],
        dialogue=last_year,
        text="Fjorårets åpne punkt",
        owner=c["unit_leader"],
        due_on=TODAY,
    )

    dialogue = _create(c)

    agenda = dialogue.agenda
    assert agenda["plan"]["exists"]
    assert agenda["plan"]["status"] == "Utkast"
    assert agenda["plan"]["goals"][0]["text"] == "Mål for Solvik barneskole"
    assert agenda["plan"]["areas"] == ["Inkluderende miljø"]
    assert agenda["measures"]["total"] == 1
    assert agenda["measures"]["overdue_count"] == 1
    assert agenda["measures"]["overdue"][0]["text"] == "Leseløftet i 1.–4. trinn"
    assert [p["text"] for p in agenda["previous_points"]] == ["Fjorårets åpne punkt"]
    assert dialogue.leader == c["sector_leader"]
    assert list(dialogue.counterparts.all()) == [c["unit_leader"]]
    assert DialogueChange.objects.filter(dialogue=dialogue, action="create").exists()


def test_agenda_is_frozen_and_refreshed_only_until_the_dialogue_is_held(plan_cast):
    c = plan_cast
    dialogue = _create(c)
    c.school_plan.measures.update(status=MeasureStatus.DONE)
    dialogue.refresh_from_db()
    counts = {row["status"]: row["count"] for row in dialogue.agenda["measures"]["counts"]}
    assert counts["Planlagt"] == 1  # as it was generated

    services.dialogue_agenda_update(actor=c["sector_leader"], dialogue=dialogue)
    dialogue.refresh_from_db()
    counts = {row["status"]: row["count"] for row in dialogue.agenda["measures"]["counts"]}
    assert counts["Fullført"] == 1

    services.dialogue_complete(actor=c["sector_leader"], dialogue=dialogue)
    with pytest.raises(ValidationError, match="før samtalen er holdt"):
        services.dialogue_agenda_update(actor=c["sector_leader"], dialogue=dialogue)


def test_status_goes_planned_held_closed_and_a_closed_record_is_read_only(plan_cast):
    c = plan_cast
    dialogue = _create(c)
    with pytest.raises(ValidationError, match="Planlagt"):
        services.dialogue_close(actor=c["sector_leader"], dialogue=dialogue)
    services.dialogue_complete(actor=c["sector_leader"], dialogue=dialogue)
    services.dialogue_close(actor=c["sector_leader"], dialogue=dialogue)
    dialogue.refresh_from_db()
    assert dialogue.status == DialogueStatus.CLOSED
    with pytest.raises(PermissionDenied):
        services.dialogue_update(
            actor=c["sector_leader"], dialogue=dialogue, held_on=TODAY, notes="Endret"
        )
    assert list(dialogue.changes.values_list("action", flat=True)) == [
        "closed",
        "held",
        "create",
    ]


@pytest.mark.parametrize(
    ("actor", "unit", "kind"),
    [
        ("staff", "school", DialogueKind.TEAM),
        ("unit_leader", "school", DialogueKind.UNIT),  # only the sector leader holds these
        ("unit_leader", "kindergarten", DialogueKind.TEAM),  # not a unit they lead
        ("bti_coordinator", "school", DialogueKind.UNIT),
        ("data_admin", "school", DialogueKind.UNIT),
        ("other_municipality", "school", DialogueKind.UNIT),
        ("sector_leader", "other_unit", DialogueKind.UNIT),
    ],
)
def test_create_refuses_actors_who_may_not_hold_the_dialogue(plan_cast, actor, unit, kind):
    c = plan_cast
    with pytest.raises(PermissionDenied):
        _create(c, actor=actor, unit=getattr(c, unit), kind=kind, people=[c["staff"]])
    assert not Dialogue.objects.exists()


def test_create_refuses_forged_counterparts(plan_cast):
    c = plan_cast
    nabo = UserFactory(username="nabo-leder-x")
    MembershipFactory(
        user=nabo, municipality=c.other_municipality, unit=c.other_unit, role=Role.UNIT_LEADER
    )
    forged = [
        (DialogueKind.UNIT, "sector_leader", [c["staff"]]),  # staff, not a leader
        (DialogueKind.UNIT, "sector_leader", [nabo]),  # another municipality
        (DialogueKind.UNIT, "sector_leader", []),
        (DialogueKind.TEAM, "unit_leader", [c["unit_leader"]]),  # oneself
        (DialogueKind.TEAM, "unit_leader", [c["sector_leader"]]),
        (DialogueKind.TEAM, "unit_leader", [c["staff"], nabo]),
    ]
    for kind, actor, people in forged:
        with pytest.raises(ValidationError) as error:
            _create(c, actor=actor, kind=kind, people=people)
        assert "counterparts" in error.value.message_dict
    assert not Dialogue.objects.exists()
    assert not DialogueChange.objects.exists()


def test_a_pending_grant_does_not_make_a_counterpart(plan_cast):
    c = plan_cast
    waiting = UserFactory(username="venter")
    MembershipFactory(
        user=waiting,
        municipality=c.municipality,
        unit=c.school,
        role=Role.STAFF,
        pending=True,
    )
    with pytest.raises(ValidationError):
        _create(c, actor="unit_leader", kind=DialogueKind.TEAM, people=[waiting])


def test_notes_and_points_refuse_megabytes_and_steering_characters(plan_cast):
    c = plan_cast
    dialogue = _create(c)
    for text in ("x" * 1_048_576, "Greit\u202eavtalt"):
        with pytest.raises(ValidationError) as error:
            services.dialogue_update(
                actor=c["sector_leader"], dialogue=dialogue, held_on=TODAY, notes=text
            )
        assert "notes" in error.value.message_dict
        with pytest.raises(ValidationError):
            services.agreed_point_add(
                actor=c["sector_leader"],
                dialogue=dialogue,
                text=text,
                owner=c["unit_leader"],
                due_on=TODAY,
            )
    dialogue.refresh_from_db()
    assert dialogue.notes == ""
    assert not dialogue.points.exists()
    # Invisible format characters are removed, not refused.
    services.dialogue_update(
        actor=c["sector_leader"], dialogue=dialogue, held_on=TODAY, notes="Lese\u200bløft  "
    )
    dialogue.refresh_from_db()
    assert dialogue.notes == "Leseløft"


def test_point_owner_must_be_a_member_of_the_unit_or_a_sector_leader(plan_cast):
    c = plan_cast
    d = build_dialogues(c)
    for owner in (d.kg_leader, d.nabo_leader, c["bti_coordinator"]):
        with pytest.raises(ValidationError) as error:
            services.agreed_point_add(
                actor=c["sector_leader"], dialogue=d.unit, text="Punkt", owner=owner, due_on=TODAY
            )
        assert "owner" in error.value.message_dict
    point = services.agreed_point_add(
        actor=c["sector_leader"],
        dialogue=d.unit,
        text="Sektorleder følger opp",
        owner=c["sector_leader"],
        due_on=TODAY,
    )
    assert point.owner == c["sector_leader"]


def test_owner_marks_a_point_done_and_a_drop_needs_a_reason(plan_cast):
    c = plan_cast
    d = build_dialogues(c)
    with pytest.raises(PermissionDenied):  # not theirs, not their dialogue
        services.agreed_point_update(
            actor=d.kg_leader, point=d.staff_point, status=PointStatus.DONE, note=""
        )
    with pytest.raises(ValidationError, match="hvorfor"):
        services.agreed_point_update(
            actor=c["staff"], point=d.staff_point, status=PointStatus.DROPPED, note=""
        )
    services.agreed_point_update(
        actor=c["staff"], point=d.staff_point, status=PointStatus.DONE, note="Kurset er holdt."
    )
    d.staff_point.refresh_from_db()
    assert d.staff_point.status == PointStatus.DONE
    assert d.staff_point.done_note == "Kurset er holdt."
    with pytest.raises(PermissionDenied):  # done is done
        services.agreed_point_update(
            actor=c["staff"], point=d.staff_point, status=PointStatus.DROPPED, note="Nei"
        )


# --- privacy ------------------------------------------------------------------------------

# Who reads which dialogue: the two parties and their superiors, nobody else.
READERS = {
    "sector_leader": {"unit", "team", "kindergarten"},
    "unit_leader": {"unit", "team"},
    "staff": {"team"},
    "bti_coordinator": set(),
    "elected_official": set(),
    "data_admin": set(),
    "other_municipality": set(),
    "no_membership": set(),
}


def test_dialogues_are_private_to_the_parties_and_their_superiors(plan_cast):
    c = plan_cast
    d = build_dialogues(c)
    names = {d.unit.pk: "unit", d.team.pk: "team", d.kindergarten.pk: "kindergarten"}
    names[d.other.pk] = "other"
    wrong = []
    for persona, expected in READERS.items():
        user = c[persona]
        forget_access(user)
        seen = {names[pk] for pk in Dialogue.objects.visible_to(user).values_list("pk", flat=True)}
        by_rule = {
            names[dialogue.pk]
            for dialogue in Dialogue.objects.all()
            if user.has_perm("plans.view_dialogue", dialogue)
        }
        if seen != expected or by_rule != expected:
            wrong.append(f"{persona}: queryset {seen}, rule {by_rule}, expected {expected}")
    assert wrong == []
    nabo = Dialogue.objects.visible_to(d.nabo_sector).values_list("pk", flat=True)
    assert {names[pk] for pk in nabo} == {"other"}


def test_a_superuser_reads_no_dialogue_through_the_pages(plan_cast, client):
    """Django answers every has_perm of a superuser with yes, so the pages' queryset is
    what keeps them out: a superuser is no party to a dialogue."""
    c = plan_cast
    d = build_dialogues(c)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert not Dialogue.objects.visible_to(root).exists()
    assert not AgreedPoint.objects.visible_to(root).exists()
    client.force_login(root)
    for name, pk in (("plans:dialogue-detail", d.unit.pk), ("plans:dialogue-print", d.team.pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    url = reverse("plans:dialogue-point-update", args=[d.staff_point.pk])
    assert client.post(url, {"status": "done", "note": ""}).status_code == 404
    body = client.get(reverse("plans:dialogue-list")).content.decode()
    assert UNIT_NOTE not in body
    assert reverse("plans:dialogue-detail", args=[d.unit.pk]) not in body


def test_points_are_read_by_the_dialogues_readers_and_their_owner(plan_cast):
    c = plan_cast
    d = build_dialogues(c)
    staff_sees = set(AgreedPoint.objects.visible_to(c["staff"]).values_list("text", flat=True))
    # Their own point in the unit dialogue (not the dialogue), and the team dialogue's.
    assert staff_sees == {"Lesekurs for 1. trinn", "Veiledning i klasseledelse"}
    # The rules say the same: the point, not its dialogue.
    assert c["staff"].has_perm("plans.view_agreedpoint", d.staff_point)
    assert not c["staff"].has_perm("plans.view_dialogue", d.unit)
    assert not c["staff"].has_perm("plans.view_agreedpoint", d.leader_point)
    assert not AgreedPoint.objects.visible_to(c["bti_coordinator"]).exists()
    assert set(AgreedPoint.objects.visible_to(d.kg_leader).values_list("text", flat=True)) == {
        "Språkløype i barnehagen"
    }


def test_pages_show_neither_the_notes_nor_the_dialogue_to_a_point_owner_outside_it(
    plan_cast, client_for
):
    c = plan_cast
    d = build_dialogues(c)
    client = client_for(c["staff"])
    assert client.get(reverse("plans:dialogue-detail", args=[d.unit.pk])).status_code == 404
    assert client.get(reverse("plans:dialogue-print", args=[d.unit.pk])).status_code == 404
    team = client.get(reverse("plans:dialogue-detail", args=[d.team.pk])).content.decode()
    assert TEAM_NOTE in team
    listing = client.get(reverse("plans:dialogue-list")).content.decode()
    assert reverse("plans:dialogue-detail", args=[d.team.pk]) in listing
    assert reverse("plans:dialogue-detail", args=[d.unit.pk]) not in listing
    home = client.get(reverse("home")).content.decode()
    plan_page = client.get(
        reverse("plans:unit-plan-detail", args=[c.school_plan.pk])
    ).content.decode()
    for body in (home, plan_page):
        assert "Lesekurs for 1. trinn" in body
        assert UNIT_NOTE not in body
        assert TEAM_NOTE not in body
    assert "Ny plan for SFO" not in plan_page  # the unit leader's point, not theirs


def test_unit_leader_does_not_read_another_units_dialogue(plan_cast, client_for):
    c = plan_cast
    d = build_dialogues(c)
    client = client_for(c["unit_leader"])
    assert client.get(reverse("plans:dialogue-detail", args=[d.kindergarten.pk])).status_code == 404
    assert client.get(reverse("plans:dialogue-detail", args=[d.other.pk])).status_code == 404
    body = client.get(reverse("plans:dialogue-list")).content.decode()
    assert "Barnehagens notat" not in body
    assert NABO_NOTE not in body


def test_the_admin_offers_no_way_around_the_privacy(plan_cast):
    from django.contrib import admin

    from plans.models import DialogueChange

    for model in (Dialogue, AgreedPoint, DialogueChange):
        assert not admin.site.is_registered(model)


# --- follow-up: unit plan page, home page, reminders -------------------------------------


def test_unit_plan_page_lists_the_points_agreed_for_the_unit(plan_cast, client_for):
    c = plan_cast
    build_dialogues(c)
    body = (
        client_for(c["unit_leader"])
        .get(reverse("plans:unit-plan-detail", args=[c.school_plan.pk]))
        .content.decode()
    )
    assert "Avtalt i virksomhetssamtale" in body
    assert "Lesekurs for 1. trinn" in body
    assert "Ny plan for SFO" in body
    # Only the unit dialogue's points: the team dialogue's stay with the team.
    assert "Veiledning i klasseledelse" not in body
    assert UNIT_NOTE not in body


def test_home_panel_lists_the_owners_open_points_with_overdue_ones_marked(plan_cast, client_for):
    c = plan_cast
    d = build_dialogues(c)
    AgreedPoint.objects.filter(pk=d.leader_point.pk).update(
        due_on=TODAY - datetime.timedelta(days=1)
    )
    body = client_for(c["unit_leader"]).get(reverse("home")).content.decode()
    assert "Punkter du har ansvar for" in body
    assert "Ny plan for SFO" in body
    assert "1 punkt har passert fristen." in body
    assert "Lesekurs for 1. trinn" not in body  # the staff member's
    body = client_for(c["bti_coordinator"]).get(reverse("home")).content.decode()
    assert "Punkter du har ansvar for" not in body


def test_reminder_digest_names_the_owners_overdue_points(plan_cast, settings):
    from plans.services.reminders import reminder_digests_send

    settings.PORTAL_BASE_URL = "https://portal.example.no"
    c = plan_cast
    d = build_dialogues(c)
    AgreedPoint.objects.filter(pk=d.staff_point.pk).update(
        due_on=TODAY - datetime.timedelta(days=2)
    )
    AgreedPoint.objects.filter(pk=d.team_point.pk).update(
        due_on=TODAY - datetime.timedelta(days=2), status=PointStatus.DONE
    )
    mail.outbox.clear()
    reminder_digests_send(today=TODAY)
    staff_mail = [m for m in mail.outbox if m.to == [c["staff"].email]]
    assert len(staff_mail) == 1
    body = staff_mail[0].body
    assert "Lesekurs for 1. trinn" in body
    assert reverse("plans:dialogue-point-update", args=[d.staff_point.pk]) in body
    assert "Veiledning i klasseledelse" not in body  # done
    assert UNIT_NOTE not in body
    leader_mail = [m for m in mail.outbox if m.to == [c["unit_leader"].email]]
    assert all("Lesekurs" not in m.body for m in leader_mail)


def test_owner_marks_done_inline_with_htmx_and_on_a_page_without(plan_cast, client_for):
    c = plan_cast
    d = build_dialogues(c)
    client = client_for(c["staff"])
    url = reverse("plans:dialogue-point-update", args=[d.team_point.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert 'hx-post="' + url in fragment
    response = client.post(url, {"status": "done", "note": "Gjennomført"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="point-{d.team_point.pk}"' in response.content.decode()
    assert "Gjennomført" in response.content.decode()
    # Without JavaScript: a page, then back to the home page (the unit dialogue is not theirs).
    url = reverse("plans:dialogue-point-update", args=[d.staff_point.pk])
    assert "<html" in client.get(url).content.decode()
    response = client.post(url, {"status": "dropped", "note": ""})
    assert response.status_code == 200
    assert "Skriv hvorfor punktet droppes." in response.content.decode()
    response = client.post(url, {"status": "done", "note": "Ferdig"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --- pages --------------------------------------------------------------------------------


def test_list_shows_the_units_without_a_unit_dialogue_this_year(plan_cast, client_for):
    c = plan_cast
    build_dialogues(c)
    response = client_for(c["sector_leader"]).get(reverse("plans:dialogue-list"))
    without = [unit.name for unit in response.context["units_without"]]
    assert without == ["Solvik SFO"]
    response = client_for(c["unit_leader"]).get(reverse("plans:dialogue-list"))
    assert "units_without" not in response.context


def test_list_filters_by_year_unit_and_status(plan_cast, client_for):
    c = plan_cast
    d = build_dialogues(c)
    services.dialogue_complete(actor=c["sector_leader"], dialogue=d.kindergarten)
    client = client_for(c["sector_leader"])
    url = reverse("plans:dialogue-list")
    shown = lambda query: {row.pk for row in client.get(url, query).context["dialogues"]}  # noqa: E731
    assert shown({"status": "held"}) == {d.kindergarten.pk}
    assert shown({"unit": c.school.pk}) == {d.unit.pk, d.team.pk}
    assert shown({"year": YEAR}) == {d.unit.pk, d.team.pk, d.kindergarten.pk}
    assert shown({"year": "abc"}) == {d.unit.pk, d.team.pk, d.kindergarten.pk}


def test_create_page_offers_only_people_of_own_units_and_refuses_a_forged_choice(
    plan_cast, client_for
):
    c = plan_cast
    d = build_dialogues(c)
    client = client_for(c["unit_leader"])
    response = client.get(reverse("plans:dialogue-create"))
    form = response.context["form"]
    assert [kind for kind, _label in form.fields["kind"].choices] == ["team"]
    offered = set(form.fields["counterparts"].queryset)
    assert c["staff"] in offered
    assert d.kg_leader not in offered
    assert d.nabo_leader not in offered
    response = client.post(
        reverse("plans:dialogue-create"),
        {
            "kind": "team",
            "unit": c.school.pk,
            "school_year": YEAR,
            "held_on": TODAY.isoformat(),
            "counterparts": [d.nabo_leader.pk],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["counterparts"]
    # A staff member of the SFO chosen for the school: the service says why.
    sfo_only = UserFactory(username="sfo-ansatt")
    MembershipFactory(user=sfo_only, municipality=c.municipality, unit=c.sfo, role=Role.STAFF)
    response = client.post(
        reverse("plans:dialogue-create"),
        {
            "kind": "team",
            "unit": c.school.pk,
            "school_year": YEAR,
            "held_on": TODAY.isoformat(),
            "counterparts": [sfo_only.pk],
        },
    )
    assert "Samtalepartnerne må være ansatte ved enheten." in response.content.decode()
    assert Dialogue.objects.count() == 4


def test_edit_conflict_keeps_the_typed_notes(plan_cast, client_for):
    c = plan_cast
    d = build_dialogues(c)
    client = client_for(c["sector_leader"])
    url = reverse("plans:dialogue-edit", args=[d.unit.pk])
    version = client.get(url).context["form"]["version"].value()
    services.dialogue_update(
        actor=c["sector_leader"], dialogue=d.unit, held_on=TODAY, notes="Lagret først"
    )
    response = client.post(
        url, {"held_on": TODAY.isoformat(), "notes": "Mitt utkast", "version": version}
    )
    body = response.content.decode()
    assert response.status_code == 409
    main = body[body.find("<main") :]
    assert "Lagret først" in main
    assert "Mitt utkast" in main


# --- agenda: the indicators' section ------------------------------------------------------


def test_agenda_reads_the_units_indicators_through_the_findings(plan_cast):
    from indicators.models import Observation, Place
    from tests.test_access_matrix import _ind

    c = plan_cast
    indicator = _ind(c)["indicator"]
    indicator.areas.add(c.areas[0])
    place = Place.objects.get(code="9901")
    Observation.objects.create(
        indicator=indicator,
        place=place,
        period_label="2023/24",
        period_start=datetime.date(2023, 8, 1),
        period_end=datetime.date(2024, 7, 31),
        value="6.0",
        batch=_ind(c)["batch"],
    )
    agenda = dialogue_agenda_build(unit=c.school, school_year=YEAR, user=c["sector_leader"])
    [section] = agenda["sections"]
    assert section["key"] == "indicators"
    [row] = section["rows"]
    assert row["name"] == "Mobbing på skolen"
    assert row["period"] == "2024/25"
    assert row["value"].startswith("5,1")
    assert row["target"].startswith("4")
    # Lower is better: better than the country, improving, the 2025 target not met.
    assert any("bedre an enn landet" in text for text in row["positive"])
    assert any("riktig retning" in text for text in row["positive"])
    assert any("ikke nådd" in text or "målet for" in text.lower() for text in row["attention"])


def test_agenda_lists_the_units_own_goals_as_its_own(plan_cast):
    from plans.models import UnitGoal, UnitPlan

    c = plan_cast
    plan = UnitPlan.objects.get(unit=c.school, school_year=YEAR)
    UnitGoal.objects.create(plan=plan, area=None, text="Alle elever har en voksen de stoler på")
    agenda = dialogue_agenda_build(unit=c.school, school_year=YEAR, user=c["sector_leader"])
    own = [g for g in agenda["plan"]["goals"] if g["text"].startswith("Alle elever har")]
    assert [g["area"] for g in own] == ["Enhetens eget mål"]


def test_agenda_leaves_out_indicators_of_areas_the_unit_does_not_work_on(plan_cast):
    from tests.test_access_matrix import _ind

    c = plan_cast
    _ind(c)["indicator"].areas.add(c.areas[1])  # the school's plan has only areas[0]
    agenda = dialogue_agenda_build(unit=c.school, school_year=YEAR, user=c["sector_leader"])
    assert agenda["sections"] == []


def test_agenda_shows_the_last_two_self_assessments_per_area(plan_cast):
    from tests.plans.test_self_assessment import completed_assessment, school_tool

    c = plan_cast
    tool = school_tool(c)
    completed_assessment(c.school, tool, [1, 1, 4], on=datetime.date(2023, 2, 1))
    completed_assessment(c.school, tool, [2, 2, 3], on=datetime.date(2024, 2, 1))
    completed_assessment(c.school, tool, [4, 3, 3], on=datetime.date(2025, 2, 1))
    agenda = dialogue_agenda_build(unit=c.school, school_year=YEAR, user=c["sector_leader"])
    rows = {row["area"]: row for row in agenda["assessments"]}
    assert rows["Inkluderende miljø"] | {} == {
        "area": "Inkluderende miljø",
        "latest": "3.50",
        "latest_on": "01.02.2025",
        "previous": "2.00",
        "previous_on": "01.02.2024",
        "trend": "up",
    }
    assert rows["Tidlig innsats"]["trend"] == "same"


# --- query counts ---------------------------------------------------------------------------


def _many(c, n):
    """n more dialogues with the school, each with n points."""
    for _ in range(n):
        dialogue = _create(c)
        for i in range(n):
            services.agreed_point_add(
                actor=c["sector_leader"],
                dialogue=dialogue,
                text=f"Punkt {i}",
                owner=c["staff"],
                due_on=TODAY,
            )
    return dialogue


@pytest.mark.parametrize("persona", ["sector_leader", "staff"])
def test_list_and_detail_query_counts_do_not_grow_with_the_data(
    plan_cast, client_for, django_assert_max_num_queries, persona
):
    c = plan_cast
    d = build_dialogues(c)
    client = client_for(c[persona])
    one = _many(c, 1) if persona == "sector_leader" else d.team
    pages = [reverse("plans:dialogue-list"), reverse("plans:dialogue-detail", args=[one.pk])]
    pages.append(reverse("home"))
    counts = []
    for url in pages:
        client.get(url)  # warm the session and caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    if persona == "sector_leader":
        ten = _many(c, 10)
        pages[1] = reverse("plans:dialogue-detail", args=[ten.pk])
    else:
        for i in range(10):
            services.agreed_point_add(
                actor=c["unit_leader"],
                dialogue=d.team,
                text=f"T{i}",
                owner=c["staff"],
                due_on=TODAY,
            )
    for url, count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_unit_plan_page_query_count_does_not_grow_with_points(
    plan_cast, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = plan_cast
    build_dialogues(c)
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-detail", args=[c.school_plan.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    _many(c, 10)
    with django_assert_max_num_queries(len(captured)):
        body = client.get(url).content.decode()
    assert body.count("Punkt 9") == 10


def test_a_second_school_does_not_change_who_reads(plan_cast):
    """A unit leader of another unit (made for this test) reads none of the school's."""
    c = plan_cast
    build_dialogues(c)
    other_school = UnitFactory(municipality=c.municipality, name="Nordby skole")
    leader = UserFactory(username="nordby-leder")
    MembershipFactory(
        user=leader, municipality=c.municipality, unit=other_school, role=Role.UNIT_LEADER
    )
    assert not Dialogue.objects.visible_to(leader).exists()
    assert not AgreedPoint.objects.visible_to(leader).exists()
