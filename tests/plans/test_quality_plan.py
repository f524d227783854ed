"""The quality plan: services (draft, edit, adopt, revise, compare, history) and pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans.models import (
    Anchoring,
    AnchoringKind,
    CoreComponent,
    DevelopmentArea,
    PlanChange,
    PlanValue,
    PracticeCharacteristic,
    QualityDescription,
    QualityPlan,
    ServiceField,
)
from plans.selectors.quality import ADDED, CHANGED, REMOVED, UNCHANGED, compare_plans
from plans.services.history import EditConflict, PlanLocked
from plans.services.quality_plan import (
    quality_plan_adopt,
    quality_plan_create,
    quality_plan_part_delete,
    quality_plan_part_save,
    quality_plan_revise,
    quality_plan_update,
)
from tests.factories import DevelopmentAreaFactory, QualityPlanFactory

HEADER = {
    "title": "Kvalitetsplan for oppvekst",
    "period_start": 2026,
    "period_end": 2029,
    "purpose": "Alle barn skal ha en god oppvekst.",
    "introduction": "Planen gjelder hele sektoren.",
}


@pytest.fixture
def leader(cast):
    return cast["sector_leader"]


@pytest.fixture
def draft(cast, leader):
    # Owned, plan and area, as adoption requires (issue 20).
    plan = quality_plan_create(
        municipality=cast.municipality, actor=leader, data={**HEADER, "owner": leader}
    )
    area = quality_plan_part_save(
        plan=plan,
        model=DevelopmentArea,
        data={"order": 1, "name": "Inkluderende miljø", "goal": "Alle hører til.", "owner": leader},
        actor=leader,
    )
    quality_plan_part_save(
        plan=plan,
        model=CoreComponent,
        data={"area": area, "order": 1, "name": "Tilhørighet", "description": "Alle er med."},
        actor=leader,
    )
    return plan


def _adopt(plan, actor):
    return quality_plan_adopt(
        plan=plan, adopted_on=datetime.date(2026, 6, 18), council_case="26/42", actor=actor
    )


# --- Services ---------------------------------------------------------------------------


def test_create_starts_a_draft_and_records_it(cast, leader):
    plan = quality_plan_create(municipality=cast.municipality, actor=leader, data=HEADER)
    assert not plan.is_adopted
    assert plan.revision == 1
    change = plan.changes.get()
    assert change.action == "created"
    assert change.actor == leader
    assert {"field": "Formål", "old": "", "new": HEADER["purpose"]} in change.fields


def test_create_refuses_a_second_draft_and_names_the_first(draft, cast, leader):
    with pytest.raises(ValidationError, match="allerede et utkast"):
        quality_plan_create(municipality=cast.municipality, actor=leader, data=HEADER)


def test_update_records_the_changed_fields_only(draft, leader):
    quality_plan_update(
        plan=draft,
        data={**HEADER, "purpose": "Alle barn skal ha en trygg oppvekst."},
        expected_version=draft.version,
        actor=leader,
    )
    change = draft.changes.filter(action="changed").get()
    assert change.subject == "Planen"
    assert change.fields == [
        {
            "field": "Formål",
            "old": "Alle barn skal ha en god oppvekst.",
            "new": "Alle barn skal ha en trygg oppvekst.",
        }
    ]


def test_update_from_a_stale_version_raises_a_conflict_and_keeps_the_newer_save(draft, leader):
    loaded = draft.version
    quality_plan_update(
        plan=draft, data={**HEADER, "title": "Først"}, expected_version=loaded, actor=leader
    )
    with pytest.raises(EditConflict) as raised:
        quality_plan_update(
            plan=draft, data={**HEADER, "title": "Andre"}, expected_version=loaded, actor=leader
        )
    assert raised.value.current.title == "Først"
    assert raised.value.attempted["title"] == "Andre"
    draft.refresh_from_db()
    assert draft.title == "Først"


def test_a_draft_moved_to_another_period_is_stored_with_the_next_revision_there(
    draft, cast, leader
):
    QualityPlanFactory(municipality=cast.municipality, period_start=2030, period_end=2033)
    quality_plan_update(
        plan=draft,
        data={**HEADER, "period_start": 2030, "period_end": 2033},
        expected_version=draft.version,
        actor=leader,
    )
    stored = QualityPlan.objects.get(pk=draft.pk)
    assert (stored.period_start, stored.period_end, stored.revision) == (2030, 2033, 2)


def test_part_save_names_the_row_and_records_field_diffs(draft, leader):
    value = quality_plan_part_save(
        plan=draft,
        model=PlanValue,
        data={"order": 1, "name": "Åpen", "meaning": "Vi lytter."},
        actor=leader,
    )
    quality_plan_part_save(
        plan=draft,
        model=PlanValue,
        data={"order": 1, "name": "Åpen", "meaning": "Vi lytter og svarer."},
        actor=leader,
        instance=value,
    )
    added, changed = draft.changes.filter(subject="Verdi «Åpen»").order_by("pk")
    assert added.action == "added"
    assert changed.action == "changed"
    assert changed.fields == [
        {
            "field": "Dette betyr for barnet og familien",
            "old": "Vi lytter.",
            "new": "Vi lytter og svarer.",
        }
    ]


def test_part_save_refuses_an_area_of_another_plan(draft, leader):
    foreign_area = DevelopmentAreaFactory(plan=QualityPlanFactory(municipality=draft.municipality))
    with pytest.raises(ValidationError) as raised:
        quality_plan_part_save(
            plan=draft,
            model=CoreComponent,
            data={"area": foreign_area, "order": 1, "name": "Utenfor", "description": ""},
            actor=leader,
        )
    assert "area" in raised.value.error_dict


def test_part_delete_keeps_what_was_removed_in_the_history(draft, leader):
    area = draft.areas.get()
    quality_plan_part_delete(plan=draft, instance=area, actor=leader)
    assert not DevelopmentArea.objects.filter(pk=area.pk).exists()
    assert not CoreComponent.objects.filter(area_id=area.pk).exists()
    change = draft.changes.get(action="deleted")
    assert change.subject == "Utviklingsområde «Inkluderende miljø»"
    assert {"field": "Mål", "old": "Alle hører til.", "new": ""} in change.fields


def test_adopting_needs_a_council_case_and_an_area_with_a_goal(cast, leader):
    empty = quality_plan_create(municipality=cast.municipality, actor=leader, data=HEADER)
    with pytest.raises(ValidationError) as raised:
        quality_plan_adopt(
            plan=empty, adopted_on=datetime.date(2026, 6, 18), council_case=" ", actor=leader
        )
    errors = raised.value.message_dict
    assert "council_case" in errors
    assert any("minst ett utviklingsområde" in message for message in errors["__all__"])
    empty.refresh_from_db()
    assert not empty.is_adopted


def test_an_adopted_plan_is_read_only(draft, leader):
    _adopt(draft, leader)
    area = draft.areas.get()
    with pytest.raises(PlanLocked, match="kan ikke endres"):
        quality_plan_part_save(
            plan=draft,
            model=PlanValue,
            data={"order": 1, "name": "Åpen", "meaning": "Vi lytter."},
            actor=leader,
        )
    with pytest.raises(PlanLocked):
        quality_plan_part_save(
            plan=draft,
            model=DevelopmentArea,
            data={"name": "Nytt navn"},
            actor=leader,
            instance=area,
        )
    with pytest.raises(PlanLocked):
        quality_plan_part_delete(plan=draft, instance=area, actor=leader)
    with pytest.raises(PlanLocked):
        quality_plan_update(plan=draft, data=HEADER, expected_version=draft.version, actor=leader)
    area.refresh_from_db()
    assert area.name == "Inkluderende miljø"
    adopted = draft.changes.get(action="adopted")
    assert {"field": "Saksnummer i kommunestyret", "old": "", "new": "26/42"} in adopted.fields


def test_revise_copies_every_part_and_keeps_the_keys(draft, leader):
    area = draft.areas.get()
    component = area.components.get()
    for model, data in [
        (PlanValue, {"order": 1, "name": "Åpen", "meaning": "Vi lytter."}),
        (Anchoring, {"kind": AnchoringKind.LAW, "order": 1, "title": "Barnehageloven"}),
        (PracticeCharacteristic, {"area": area, "order": 1, "text": "Alle blir sett."}),
        (
            QualityDescription,
            {
                "service_field": ServiceField.KINDERGARTEN,
                "title": "Kvalitet i barnehagen",
                "content": "Trygge voksne",
                "source": "GoBaN",
            },
        ),
    ]:
        quality_plan_part_save(plan=draft, model=model, data=data, actor=leader)
    _adopt(draft, leader)

    revision = quality_plan_revise(plan=draft, actor=leader)

    assert revision.revision == draft.revision + 1
    assert revision.previous == draft
    assert not revision.is_adopted
    assert (revision.title, revision.purpose, revision.introduction) == (
        draft.title,
        draft.purpose,
        draft.introduction,
    )
    copied_area = revision.areas.get()
    assert copied_area.pk != area.pk
    assert (copied_area.key, copied_area.goal) == (area.key, area.goal)
    copied_component = copied_area.components.get()
    assert (copied_component.key, copied_component.description) == (
        component.key,
        component.description,
    )
    assert [c.text for c in copied_area.characteristics.all()] == ["Alle blir sett."]
    assert [v.name for v in revision.values.all()] == ["Åpen"]
    assert [a.title for a in revision.anchorings.all()] == ["Barnehageloven"]
    assert [d.source for d in revision.quality_descriptions.all()] == ["GoBaN"]
    # The adopted plan keeps its own rows.
    assert draft.areas.get().pk == area.pk
    assert revision.changes.get().subject == f"Ny revisjon opprettet fra revisjon {draft.revision}"


def test_revise_refuses_a_draft_and_a_second_draft_revision(draft, leader):
    with pytest.raises(PlanLocked, match="utkast"):
        quality_plan_revise(plan=draft, actor=leader)
    _adopt(draft, leader)
    revision = quality_plan_revise(plan=draft, actor=leader)
    with pytest.raises(ValidationError, match=f"revisjon {revision.revision}"):
        quality_plan_revise(plan=draft, actor=leader)


def test_compare_finds_added_removed_and_changed_areas_and_components(draft, leader):
    _adopt(draft, leader)
    revision = quality_plan_revise(plan=draft, actor=leader)
    kept = revision.areas.get()
    quality_plan_part_save(
        plan=revision,
        model=DevelopmentArea,
        data={"goal": "Alle hører til og blir sett."},
        actor=leader,
        instance=kept,
    )
    quality_plan_part_save(
        plan=revision,
        model=CoreComponent,
        data={"area": kept, "order": 2, "name": "Voksne tar ansvar", "description": ""},
        actor=leader,
    )
    quality_plan_part_save(
        plan=revision,
        model=DevelopmentArea,
        data={"order": 2, "name": "Tidlig innsats", "goal": "Vi handler tidlig."},
        actor=leader,
    )
    dropped = DevelopmentAreaFactory(plan=draft, name="Gammelt område")

    comparison = compare_plans(draft, revision)

    by_name = {item.name: item for item in comparison.areas}
    assert by_name["Tidlig innsats"].state == ADDED
    assert by_name[dropped.name].state == REMOVED
    changed = by_name["Inkluderende miljø"]
    assert changed.state == CHANGED
    assert [(f.label, f.old, f.new) for f in changed.changed_fields] == [
        ("Mål", "Alle hører til.", "Alle hører til og blir sett.")
    ]
    components = {child.name: child.state for child in changed.children}
    assert components == {"Tilhørighet": UNCHANGED, "Voksne tar ansvar": ADDED}
    assert comparison.has_changes
    assert not compare_plans(draft, draft).has_changes


# --- Pages ------------------------------------------------------------------------------


@pytest.fixture
def adopted(plan_cast):
    return plan_cast.quality_plan


def test_sector_leader_sees_edit_links_on_a_draft(draft, cast, client_for):
    body = (
        client_for(cast["sector_leader"])
        .get(reverse("plans:quality-plan-detail", args=[draft.pk]))
        .content.decode()
    )
    area = draft.areas.get()
    assert reverse("plans:quality-plan-edit", args=[draft.pk]) in body
    assert reverse("plans:quality-plan-part-edit", args=[draft.pk, "area", area.pk]) in body
    assert reverse("plans:quality-plan-part-add", args=[draft.pk, "value"]) in body
    assert reverse("plans:quality-plan-adopt", args=[draft.pk]) in body
    assert "Start ny revisjon" not in body


def test_adopted_plan_has_no_edit_links_and_says_it_is_adopted(adopted, cast, client_for):
    plan = adopted
    body = (
        client_for(cast["sector_leader"])
        .get(reverse("plans:quality-plan-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "Vedtatt 19.06.2025, sak 25/123 – planen kan ikke endres." in body
    assert reverse("plans:quality-plan-edit", args=[plan.pk]) not in body
    assert "/area/" not in body
    assert reverse("plans:quality-plan-revise", args=[plan.pk]) in body


def test_plan_page_reads_like_the_document(draft, cast, client_for, leader):
    quality_plan_part_save(
        plan=draft,
        model=PlanValue,
        data={"order": 1, "name": "Åpen", "meaning": "Vi lytter.\n\nVi svarer ærlig."},
        actor=leader,
    )
    quality_plan_part_save(
        plan=draft,
        model=Anchoring,
        data={
            "kind": AnchoringKind.NATIONAL,
            "order": 1,
            "title": "Meld. St. 6",
            "url": "https://www.regjeringen.no/",
        },
        actor=leader,
    )
    body = (
        client_for(leader)
        .get(reverse("plans:quality-plan-detail", args=[draft.pk]))
        .content.decode()
    )
    assert "<li>Vi lytter.</li>" in body
    assert "<li>Vi svarer ærlig.</li>" in body
    assert "Nasjonale føringer" in body
    assert 'href="https://www.regjeringen.no/"' in body
    assert "Tilhørighet" in body


def test_staff_reads_the_adopted_plan_but_not_a_draft(adopted, draft, cast, client_for):
    client = client_for(cast["staff"])
    assert client.get(reverse("plans:quality-plan-detail", args=[adopted.pk])).status_code == 200
    assert client.get(reverse("plans:quality-plan-detail", args=[draft.pk])).status_code == 404
    listed = client.get(reverse("plans:quality-plan-list")).content.decode()
    assert adopted.title in listed
    assert reverse("plans:quality-plan-detail", args=[draft.pk]) not in listed


def test_list_offers_a_new_plan_to_a_sector_leader_when_none_exists(cast, client_for):
    client = client_for(cast["sector_leader"])
    assert "Opprett utkast" in client.get(reverse("plans:quality-plan-list")).content.decode()
    response = client.post(reverse("plans:quality-plan-list"), HEADER)
    plan = QualityPlan.objects.get(municipality=cast.municipality)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:quality-plan-detail", args=[plan.pk])
    assert "Opprett utkast" not in client.get(reverse("plans:quality-plan-list")).content.decode()


def test_staff_cannot_create_a_plan(cast, client_for):
    client = client_for(cast["staff"])
    assert "Opprett utkast" not in client.get(reverse("plans:quality-plan-list")).content.decode()
    assert client.post(reverse("plans:quality-plan-list"), HEADER).status_code == 403
    assert not QualityPlan.objects.exists()


def test_edit_conflict_shows_both_versions_and_keeps_the_users_text(draft, cast, client_for):
    client = client_for(cast["sector_leader"])
    url = reverse("plans:quality-plan-edit", args=[draft.pk])
    loaded = client.get(url).context["form"]["version"].value()
    quality_plan_update(
        plan=draft,
        data={**HEADER, "purpose": "Lagret av en kollega."},
        expected_version=draft.version,
        actor=cast["sector_leader"],
    )
    response = client.post(url, {**HEADER, "purpose": "Min egen tekst.", "version": loaded})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Lagringskonflikt" in body
    assert "Lagret av en kollega." in body
    assert "Min egen tekst." in body
    draft.refresh_from_db()
    assert draft.purpose == "Lagret av en kollega."
    assert response.context["form"]["version"].value() == str(draft.version)
    # Saving again, knowing about the other save, goes through.
    again = client.post(url, {**HEADER, "purpose": "Min egen tekst.", "version": draft.version})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.purpose == "Min egen tekst."


def test_part_pages_add_edit_and_delete_a_value(draft, cast, client_for):
    client = client_for(cast["sector_leader"])
    add = client.post(
        reverse("plans:quality-plan-part-add", args=[draft.pk, "value"]),
        {"order": 1, "name": "Åpen", "meaning": "Vi lytter."},
    )
    value = draft.values.get()
    assert add.status_code == 302
    assert add["Location"].endswith("#values")
    client.post(
        reverse("plans:quality-plan-part-edit", args=[draft.pk, "value", value.pk]),
        {"order": 1, "name": "Åpen", "meaning": "Vi lytter alltid."},
    )
    value.refresh_from_db()
    assert value.meaning == "Vi lytter alltid."
    delete_url = reverse("plans:quality-plan-part-delete", args=[draft.pk, "value", value.pk])
    assert "Slette verdi «Åpen»?" in client.get(delete_url).content.decode()
    assert client.post(delete_url).status_code == 302
    assert not draft.values.exists()
    assert list(
        PlanChange.objects.filter(quality_plan=draft, subject="Verdi «Åpen»").values_list(
            "action", flat=True
        )
    ) == ["deleted", "changed", "added"]


def test_component_form_offers_only_the_plans_own_areas(draft, adopted, cast, client_for):
    client = client_for(cast["sector_leader"])
    url = reverse("plans:quality-plan-part-add", args=[draft.pk, "component"])
    form = client.get(url).context["form"]
    assert list(form.fields["area"].queryset) == list(draft.areas.all())
    foreign = adopted.areas.first()
    response = client.post(url, {"area": foreign.pk, "order": 1, "name": "Lurt inn"})
    assert response.status_code == 400
    assert not CoreComponent.objects.filter(name="Lurt inn").exists()


def test_unknown_part_or_a_row_of_another_plan_is_not_found(draft, adopted, cast, client_for):
    client = client_for(cast["sector_leader"])
    assert client.get(f"/plans/quality/{draft.pk}/budget/add/").status_code == 404
    foreign = adopted.areas.first()
    url = reverse("plans:quality-plan-part-edit", args=[draft.pk, "area", foreign.pk])
    assert client.get(url).status_code == 404


def test_adopt_page_marks_the_plan_adopted(draft, cast, client_for):
    client = client_for(cast["sector_leader"])
    url = reverse("plans:quality-plan-adopt", args=[draft.pk])
    refused = client.post(url, {"adopted_on": "2026-06-18", "council_case": ""})
    assert refused.status_code == 400
    response = client.post(url, {"adopted_on": "2026-06-18", "council_case": "26/42"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.adopted_on, draft.council_case) == (datetime.date(2026, 6, 18), "26/42")
    assert client.get(url).status_code == 403


def test_start_new_revision_button_creates_a_draft(adopted, cast, client_for):
    client = client_for(cast["sector_leader"])
    url = reverse("plans:quality-plan-revise", args=[adopted.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    revision = QualityPlan.objects.get(previous=adopted)
    assert response["Location"] == reverse("plans:quality-plan-detail", args=[revision.pk])
    assert [a.key for a in revision.areas.all()] == [a.key for a in adopted.areas.all()]
    # A second press says which draft already exists.
    again = client.post(url, follow=True)
    assert f"revisjon {revision.revision}" in again.content.decode()
    assert QualityPlan.objects.filter(previous=adopted).count() == 1
    assert client_for(cast["staff"]).post(url).status_code == 403


def test_compare_page_shows_word_diffs_side_by_side(draft, cast, client_for, leader):
    _adopt(draft, leader)
    revision = quality_plan_revise(plan=draft, actor=leader)
    quality_plan_part_save(
        plan=revision,
        model=DevelopmentArea,
        data={"goal": "Alle hører til og blir sett."},
        actor=leader,
        instance=revision.areas.get(),
    )
    response = client_for(leader).get(
        reverse("plans:quality-plan-compare"), {"a": draft.pk, "b": revision.pk}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<del>til.</del><ins>til og blir sett.</ins>" in body
    assert "Endret" in body


def test_compare_with_a_plan_the_user_cannot_see_is_not_found(adopted, draft, cast, client_for):
    client = client_for(cast["staff"])
    url = reverse("plans:quality-plan-compare")
    assert client.get(url, {"a": adopted.pk, "b": draft.pk}).status_code == 404
    assert client.get(url, {"a": adopted.pk, "b": adopted.pk}).status_code == 200


def test_history_page_shows_who_changed_what(draft, cast, client_for):
    client = client_for(cast["sector_leader"])
    body = client.get(reverse("plans:quality-plan-history", args=[draft.pk])).content.decode()
    assert "Kjernekomponent «Tilhørighet»" in body
    assert "Utviklingsområde «Inkluderende miljø»" in body
    assert cast["sector_leader"].get_full_name() in body
