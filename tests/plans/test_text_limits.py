"""Bounded free text: a megabyte is refused by the form (also the htmx inline edit), by the
service, by the database and by the spreadsheet import — and every text field of the
portal's plans, indicators, competence and reports apps carries a limit in all three."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from plans.models import AssessmentAnswer, Measure, ParticipationInput, UnitPlan, UnitPlanStatus
from plans.services import unit_plans as services
from plans.text_limits import check_text_lengths

MEGABYTE = "x" * (1024 * 1024)

# Written by the portal itself (an exception's message), never typed by a user.
SYSTEM_TEXT = {("indicators", "ImportBatch", "error"), ("reports", "StatusReport", "error")}


def _constraint_limits(model) -> dict[str, int]:
    """{field: limit} read back from the model's length CHECK constraints."""
    limits = {}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint) and constraint.name.endswith("_length"):
            (lookup,) = constraint.condition.children
            limits[lookup.lhs.source_expressions[0].name] = lookup.rhs
    return limits


@pytest.mark.parametrize("app_label", ["plans", "indicators", "competence", "reports"])
def test_every_text_field_is_bounded_in_form_model_and_database(app_label):
    unbounded = []
    for model in apps.get_app_config(app_label).get_models():
        checks = _constraint_limits(model)
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.TextField):
                continue
            if (app_label, model.__name__, field.name) in SYSTEM_TEXT:
                continue
            validators = [v.limit_value for v in field.validators if type(v) is MaxLengthValidator]
            if not (field.max_length and validators == [field.max_length]):
                unbounded.append(f"{model.__name__}.{field.name}: no max_length validator")
            elif checks.get(field.name) != field.max_length:
                unbounded.append(f"{model.__name__}.{field.name}: no matching CHECK")
    assert unbounded == []


def test_the_htmx_inline_edit_refuses_a_megabyte_with_the_field_named(plan_cast, client_for):
    c = plan_cast
    measure = c.school_plan.measures.get()
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-part-edit", args=[c.school_plan.pk, "measure", measure.pk])
    form = client.get(url, headers={"HX-Request": "true"})
    assert 'maxlength="2000"' in form.content.decode()  # the browser stops typing there
    version = form.context["form"]["version"].value()
    response = client.post(
        url,
        {
            "description": MEGABYTE,
            "component": c.components[0].pk,
            "responsible": c["staff"].pk,
            "start": "2026-09-01",
            "end": "2027-06-15",
            "status": "planned",
            "target_groups": ["staff", "children"],
            "version": version,
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "Sørg for at denne verdien har 2000 eller færre tegn (den har nå 1048576)." in body
    measure.refresh_from_db()
    assert len(measure.description) < 100


def test_the_plan_summary_form_refuses_a_megabyte(plan_cast, client_for):
    c = plan_cast
    client = client_for(c["unit_leader"])
    url = reverse("plans:unit-plan-edit", args=[c.school_plan.pk])
    version = client.get(url).context["form"]["version"].value()
    response = client.post(url, {"summary": MEGABYTE, "version": version})
    assert response.status_code == 200
    assert "5000 eller færre tegn" in response.content.decode()
    c.school_plan.refresh_from_db()
    assert c.school_plan.summary != MEGABYTE


def test_the_services_refuse_a_megabyte_and_write_nothing(plan_cast):
    c = plan_cast
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_update(
            plan=c.school_plan,
            data={"summary": MEGABYTE},
            expected_version=None,
            actor=c["unit_leader"],
        )
    assert set(caught.value.message_dict) == {"summary"}
    measure = c.school_plan.measures.get()
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_part_save(
            plan=c.school_plan,
            model=Measure,
            instance=measure,
            data={"evaluation": MEGABYTE},
            actor=c["unit_leader"],
        )
    assert set(caught.value.message_dict) == {"evaluation"}
    submitted = c.sfo_plan
    assert submitted.status == UnitPlanStatus.SUBMITTED
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_return(plan=submitted, actor=c["sector_leader"], comment=MEGABYTE)
    assert set(caught.value.message_dict) == {"review_comment"}
    submitted.refresh_from_db()
    assert submitted.status == UnitPlanStatus.SUBMITTED
    assert submitted.review_comment == ""
    with pytest.raises(ValidationError) as caught:
        services.unit_plan_evaluate(
            plan=c.kindergarten_plan, actor=c["sector_leader"], evaluation=MEGABYTE
        )
    assert set(caught.value.message_dict) == {"evaluation"}


def test_the_shared_helper_names_the_field_in_norwegian():
    with pytest.raises(ValidationError) as caught:
        check_text_lengths(AssessmentAnswer, reflection=MEGABYTE)
    assert caught.value.message_dict == {
        "reflection": ["Sørg for at denne verdien har 5000 eller færre tegn (den har nå 1048576)."]
    }
    check_text_lengths(AssessmentAnswer, reflection="x" * 5000)  # the limit itself is fine


def test_the_database_refuses_a_megabyte_written_past_the_services(plan_cast):
    c = plan_cast
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitPlan.objects.filter(pk=c.school_plan.pk).update(summary=MEGABYTE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(plan=c.school_plan).update(description=MEGABYTE)
    # The limit itself is allowed.
    UnitPlan.objects.filter(pk=c.school_plan.pk).update(summary="x" * 5000)


def test_the_participation_import_names_the_row_and_field_and_writes_nothing(plan_cast, client_for):
    client = client_for(plan_cast["data_admin"])
    csv_text = (
        "dato,sitat,hvem,gruppe,sammenheng,enhet,omraader,samtykke_publisering\n"
        "12.03.2025,Et godt sitat.,Gutt,barn,barnesamtale,,,ja\n"
        f"12.03.2025,{'y' * 3000},Jente,barn,barnesamtale,,,ja\n"
    )
    preview = client.post(
        reverse("admin:plans_participationinput_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("innspill.csv", csv_text.encode(), "text/csv"),
        },
    )
    body = preview.content.decode()
    assert re.search(
        r"<td>2 </td>.*?field-label\">sitat</span>\s*<ul>\s*<li>Sørg for at denne verdien har "
        r"2000 eller færre tegn \(den har nå 3000\)\.",
        body,
        re.S,
    )
    assert 'name="import_file_name"' not in body  # no confirm button
    assert not ParticipationInput.objects.exists()
