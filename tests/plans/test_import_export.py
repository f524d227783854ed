"""Units and memberships through django-import-export in the admin: preview before commit,
scoped to the data admin's municipality, formula cells escaped on export."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from plans.models import Membership, Unit, UnitKind

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def upload(client, model, csv_text):
    return client.post(
        reverse(f"admin:plans_{model}_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("fil.csv", csv_text.encode(), "text/csv"),
        },
    )


def confirm(client, model, preview):
    body = preview.content.decode()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
    return client.post(
        reverse(f"admin:plans_{model}_process_import"),
        {
            key: fields[key]
            for key in ("import_file_name", "original_file_name", "format", "resource")
            if key in fields
        },
    )


UNITS_CSV = (
    "kommunenummer,navn,type,overordnet_enhet,organisasjonsnummer,aktiv\n"
    "9901,Bakkeli skole,skole,,,1\n"
    "9901,Bakkeli SFO,SFO,Bakkeli skole,,1\n"
)


def test_unit_import_previews_then_commits(cast, client_for):
    client = client_for(cast["data_admin"])
    preview = upload(client, "unit", UNITS_CSV)
    assert preview.status_code == 200
    assert "Bakkeli SFO" in preview.content.decode()
    assert not Unit.objects.filter(name__startswith="Bakkeli").exists()  # nothing yet

    done = confirm(client, "unit", preview)
    assert done.status_code == 302
    sfo = Unit.objects.get(name="Bakkeli SFO")
    assert sfo.kind == UnitKind.SFO
    assert sfo.parent.name == "Bakkeli skole"
    assert sfo.municipality == cast.municipality


def test_unit_import_rejects_bad_rows_in_norwegian_and_writes_nothing(cast, client_for):
    client = client_for(cast["data_admin"])
    preview = upload(
        client,
        "unit",
        "kommunenummer,navn,type,overordnet_enhet,organisasjonsnummer,aktiv\n"
        "9901,Ny skole,skole,,,1\n"
        "9901,Rar enhet,bank,,,1\n"
        "9901,Feil orgnr,skole,,123456789,1\n",
    )
    body = preview.content.decode()
    assert "«bank» er ikke en gyldig verdi" in body
    assert "har feil kontrollsiffer" in body
    assert 'name="import_file_name"' not in body  # no confirm button for a file with errors
    assert not Unit.objects.filter(name="Ny skole").exists()


def test_data_admin_cannot_import_into_another_municipality(cast, client_for):
    client = client_for(cast["data_admin"])
    preview = upload(
        client,
        "unit",
        "kommunenummer,navn,type,overordnet_enhet,organisasjonsnummer,aktiv\n"
        "9902,Inntrenger skole,skole,,,1\n",
    )
    assert "finnes ikke, eller du har ikke tilgang til det" in preview.content.decode()
    assert not Unit.objects.filter(name="Inntrenger skole").exists()


def test_membership_import_needs_existing_user_of_own_municipality(cast, client_for):
    client = client_for(cast["data_admin"])
    preview = upload(
        client,
        "membership",
        "brukernavn,kommunenummer,enhet,rolle\n"
        "ansatt,9901,Solbakken barnehage,Ansatt\n"
        "finnes-ikke,9901,Solbakken barnehage,staff\n"
        "nabo-data,9901,,data_admin\n",
    )
    body = preview.content.decode()
    assert "Fant ingen bruker med brukernavnet «finnes-ikke»" in body
    assert "hører til en annen kommune" in body
    assert not Membership.objects.filter(unit=cast.kindergarten).exists()


def test_membership_import_commits_valid_rows(cast, client_for):
    client = client_for(cast["data_admin"])
    preview = upload(
        client,
        "membership",
        "brukernavn,kommunenummer,enhet,rolle\nansatt,9901,Solbakken barnehage,Ansatt\n",
    )
    assert confirm(client, "membership", preview).status_code == 302
    assert Membership.objects.filter(
        user=cast["staff"], unit=cast.kindergarten, role="staff"
    ).exists()


def test_export_escapes_formula_cells_and_stays_in_municipality(cast, client_for):
    Unit.objects.filter(pk=cast.kindergarten.pk).update(name='=HYPERLINK("http://x")')
    client = client_for(cast["data_admin"])
    response = client.post(
        reverse("admin:plans_unit_export"),
        {
            "format": "0",
            "resource": "0",
            "export_items": [],
            **{
                f"unitresource_{field}": "on"
                for field in (
                    "municipality",
                    "name",
                    "kind",
                    "parent",
                    "organisation_number",
                    "active",
                )
            },
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "'=HYPERLINK" in text
    assert "Nabovik skole" not in text
    assert "Solvik barneskole" in text


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
@pytest.mark.parametrize(
    ("model", "filename"),
    [("unit", "enheter_eksempel.csv"), ("membership", "medlemskap_eksempel.csv")],
)
def test_example_files_in_fixtures_import_cleanly(db, client, model, filename):
    call_command("load_demo", reports=False, stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username="dataansvarlig"))
    text = (FIXTURES / filename).read_text()
    rows = len(text.strip().splitlines()) - 1
    before = {"unit": Unit, "membership": Membership}[model].objects.count()
    preview = upload(client, model, text)
    assert 'name="import_file_name"' in preview.content.decode()  # no errors: confirmable
    assert confirm(client, model, preview).status_code == 302
    after = {"unit": Unit, "membership": Membership}[model].objects.count()
    assert after == before + rows
