"""Participation input through the admin's CSV import and export, as a data admin:
preview, confirm, Norwegian row errors that stop the whole file, scope to the importer's
municipality, and formula cells escaped on export."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import InputGroup, InputSetting, ParticipationInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HEADER = "dato,sitat,hvem,gruppe,sammenheng,enhet,omraader,samtykke_publisering\n"


def upload(client, csv_text):
    return client.post(
        reverse("admin:plans_participationinput_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("innspill.csv", csv_text.encode(), "text/csv"),
        },
    )


def confirm(client, preview):
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', preview.content.decode()))
    return client.post(
        reverse("admin:plans_participationinput_process_import"),
        {
            key: fields[key]
            for key in ("import_file_name", "original_file_name", "format", "resource")
            if key in fields
        },
    )


def test_import_previews_then_stores_the_values(plan_cast, client_for):
    client = client_for(plan_cast["data_admin"])
    preview = upload(
        client,
        HEADER + '12.03.2025,Jeg liker å male.,"Jente, 5 år",barn,Barnesamtale,'
        "Solbakken barnehage,Inkluderende miljø; Tidlig innsats,ja\n"
        "2025-04-02,Mer tid til lek.,Far,Foresatte,horing,,,nei\n",
    )
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Jeg liker å male." in body
    assert 'name="import_file_name"' in body  # confirmable
    assert not ParticipationInput.objects.exists()  # nothing until confirmed

    assert confirm(client, preview).status_code == 302
    first = ParticipationInput.objects.get(quote="Jeg liker å male.")
    assert first.municipality == plan_cast.municipality
    assert first.given_on == datetime.date(2025, 3, 12)
    assert first.descriptor == "Jente, 5 år"
    assert first.group == InputGroup.CHILDREN
    assert first.setting == InputSetting.CONVERSATION
    assert first.unit == plan_cast.kindergarten
    assert set(first.areas.all()) == set(plan_cast.areas)
    assert first.publishable is True
    assert first.created_by == plan_cast["data_admin"]
    second = ParticipationInput.objects.get(quote="Mer tid til lek.")
    assert second.given_on == datetime.date(2025, 4, 2)
    assert second.group == InputGroup.GUARDIANS
    assert second.unit is None
    assert second.publishable is False


def test_bad_rows_are_explained_in_norwegian_and_nothing_is_written(plan_cast, client_for):
    client = client_for(plan_cast["data_admin"])
    preview = upload(
        client,
        HEADER + "12.03.2025,Et godt sitat.,Gutt,barn,barnesamtale,,,ja\n"
        "12.03.2025,Feil gruppe.,Gutt,besteforeldre,barnesamtale,,,ja\n"
        "31.02.2025,Feil dato.,Gutt,barn,barnesamtale,,,ja\n"
        "12.03.2025,Feil område.,Gutt,barn,barnesamtale,,Lesing og skriving,ja\n"
        "12.03.2025,Feil samtykke.,Gutt,barn,barnesamtale,,,kanskje\n",
    )
    body = preview.content.decode()
    assert "«besteforeldre» er ikke en gyldig verdi" in body
    assert "«31.02.2025» er ikke en dato" in body
    assert "Ukjent utviklingsområde «Lesing og skriving»" in body
    assert "«kanskje» må være «ja» eller «nei»" in body
    assert 'name="import_file_name"' not in body  # no confirm button
    assert not ParticipationInput.objects.exists()


def test_another_municipalitys_unit_or_number_is_refused(plan_cast, client_for):
    client = client_for(plan_cast["data_admin"])
    preview = upload(client, HEADER + "12.03.2025,Hei.,Gutt,barn,horing,Nabovik skole,,ja\n")
    assert "Fant ingen enhet «Nabovik skole» i Solvik kommune" in preview.content.decode()
    numbered = upload(
        client,
        "kommunenummer," + HEADER + "9902,12.03.2025,Hei.,Gutt,barn,horing,,,ja\n",
    )
    assert "finnes ikke, eller du har ikke tilgang til det" in numbered.content.decode()
    assert not ParticipationInput.objects.exists()


def test_other_municipalitys_data_admin_imports_into_their_own(plan_cast, client_for):
    client = client_for(plan_cast["other_municipality"])
    preview = upload(client, HEADER + "12.03.2025,Hei fra Nabovik.,Gutt,barn,horing,,,ja\n")
    assert confirm(client, preview).status_code == 302
    assert ParticipationInput.objects.get().municipality == plan_cast.other_municipality
    # The Solvik plan's areas are unknown there.
    refused = upload(client, HEADER + "12.03.2025,Hei.,Gutt,barn,horing,,Inkluderende miljø,ja\n")
    assert "Ukjent utviklingsområde «Inkluderende miljø»" in refused.content.decode()


def test_export_escapes_formula_cells_and_stays_in_municipality(plan_cast, client_for):
    from tests.plans.test_participation import ParticipationInputFactory

    own = ParticipationInputFactory(
        municipality=plan_cast.municipality, quote='=HYPERLINK("http://x")', unit=plan_cast.sfo
    )
    own.areas.set(plan_cast.areas)
    ParticipationInputFactory(municipality=plan_cast.other_municipality, quote="Naboviks sitat")
    response = client_for(plan_cast["data_admin"]).post(
        reverse("admin:plans_participationinput_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [],
            **{
                f"participationinputresource_{field}": "on"
                for field in (
                    "municipality",
                    "given_on",
                    "quote",
                    "descriptor",
                    "group",
                    "setting",
                    "unit",
                    "areas",
                    "publishable",
                )
            },
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "'=HYPERLINK" in text
    assert "Naboviks sitat" not in text
    assert "Inkluderende miljø; Tidlig innsats" in text
    assert "12.03.2025" in text
    assert "Solvik SFO" in text


def test_example_file_in_fixtures_imports_cleanly(plan_cast, client_for):
    client = client_for(plan_cast["data_admin"])
    text = (FIXTURES / "innspill_eksempel.csv").read_text()
    rows = len(text.strip().splitlines()) - 1
    preview = upload(client, text)
    assert 'name="import_file_name"' in preview.content.decode()
    assert confirm(client, preview).status_code == 302
    assert ParticipationInput.objects.count() == rows


def test_admin_forms_write_into_the_data_admins_municipality(plan_cast, client_for):
    from plans.models import UserJourney

    client = client_for(plan_cast["data_admin"])
    response = client.post(
        reverse("admin:plans_participationinput_add"),
        {
            "quote": "Skrevet i admin.",
            "descriptor": "Gutt, 8 år",
            "group": "barn",
            "setting": "horing",
            "given_on": "12.03.2025",
            "unit": plan_cast.school.pk,
            "areas": [plan_cast.areas[0].pk],
            "publishable": "on",
        },
    )
    assert response.status_code == 302
    item = ParticipationInput.objects.get()
    assert item.municipality == plan_cast.municipality
    assert item.created_by == plan_cast["data_admin"]
    assert list(item.areas.all()) == [plan_cast.areas[0]]

    response = client.post(
        reverse("admin:plans_userjourney_add"),
        {
            "title": "Reise fra admin",
            "description": "",
            "carried_out_on": "",
            "findings": "",
            "steps-TOTAL_FORMS": "2",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-order": "2",
            "steps-0-service": "PPT",
            "steps-0-what_happened": "Lang ventetid.",
            "steps-0-assessment": "weak",
            "steps-1-order": "1",
            "steps-1-service": "Helsestasjonen",
            "steps-1-what_happened": "Ble sett tidlig.",
            "steps-1-assessment": "good",
        },
    )
    assert response.status_code == 302
    journey = UserJourney.objects.get()
    assert journey.municipality == plan_cast.municipality
    assert list(journey.steps.values_list("order", "service")) == [
        (1, "Helsestasjonen"),
        (2, "PPT"),
    ]


def test_importing_the_same_file_twice_adds_nothing(plan_cast, client_for):
    client = client_for(plan_cast["data_admin"])
    content = HEADER + '12.03.2025,Jeg liker å male.,"Jente, 5 år",barn,barnesamtale,,,ja\n'
    assert confirm(client, upload(client, content)).status_code == 302
    again = upload(client, content)
    body = again.content.decode()
    assert "Hoppet over (finnes allerede)" in body  # the preview says so, in Norwegian
    assert "Bekreft import" in body
    assert confirm(client, again).status_code == 302
    assert ParticipationInput.objects.filter(quote="Jeg liker å male.").count() == 1
