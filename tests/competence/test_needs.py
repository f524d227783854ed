"""Competence needs: the CSV import (parse → preview → signed confirm) and the coverage of
surveyed needs by the school year's activities."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competence.models import CompetenceNeed, NeedSurvey, Theme
from competence.selectors.needs import needs_coverage
from competence.services.needs_import import needs_file_parse
from competence.views.needs import EXAMPLE_CSV, SIGNING_SALT
from plans.models import Role, UnitKind
from tests.factories import ActivityFactory, ThemeFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "fixtures" / "competence_needs_example.csv"
IMPORT_URL = reverse("competence:needs-import")
NEEDS_URL = reverse("competence:needs")
HEADER = "enhetstype;tema;andel;antall_svar\n"


def _upload(content: bytes, name: str = "behov.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _step_one(client, content: bytes, name: str = "KOSIP november 2026"):
    return client.post(
        IMPORT_URL,
        {
            "name": name,
            "conducted_on": "2026-11-16",
            "school_year": "2027/28",
            "file": _upload(content),
        },
    )


def _nothing_written(municipality, themes_before: int) -> None:
    assert not NeedSurvey.objects.filter(municipality=municipality).exists()
    assert not CompetenceNeed.objects.exists()
    assert Theme.objects.filter(municipality=municipality).count() == themes_before


# --- Import --------------------------------------------------------------------------------


def test_example_file_previews_without_writing_and_confirm_writes_every_row(
    client, competence_cast
):
    municipality = competence_cast.municipality
    client.force_login(competence_cast["data_admin"])
    response = _step_one(client, EXAMPLE.read_bytes())

    assert response.status_code == 200
    assert response.context["preview"] is True
    assert len(response.context["rows"]) == 12
    # «Inkluderende læringsmiljø» and «Psykisk helse» exist; «Lærevansker», «Atferd» are new.
    assert response.context["new_theme_count"] == 2
    new = {row.theme for row, is_new in response.context["rows"] if is_new}
    assert new == {"Lærevansker", "Atferd"}
    assert "Ingenting er lagret ennå." in response.content.decode()
    _nothing_written(municipality, themes_before=2)

    payload = response.context["payload"]
    response = client.post(IMPORT_URL, {"payload": payload})
    survey = NeedSurvey.objects.get(municipality=municipality)
    assert response.status_code == 302
    assert response["Location"] == f"{NEEDS_URL}?survey={survey.pk}"
    assert survey.name == "KOSIP november 2026"
    assert survey.conducted_on == datetime.date(2026, 11, 16)
    assert survey.school_year == 2027
    assert survey.created_by == competence_cast["data_admin"]
    assert survey.needs.count() == 12
    need = survey.needs.get(unit_kind=UnitKind.SCHOOL, theme__name="Lærevansker")
    assert (need.share, need.respondents) == (Decimal("55.0"), 112)
    sfo = survey.needs.get(unit_kind=UnitKind.SFO, theme__name="Atferd")
    assert (sfo.share, sfo.respondents) == (Decimal("61.5"), 26)
    # Existing themes are reused, not duplicated.
    assert (
        survey.needs.get(unit_kind=UnitKind.KINDERGARTEN, theme__name="Psykisk helse").theme
        == (competence_cast.themes["Psykisk helse"])
    )
    assert Theme.objects.filter(municipality=municipality).count() == 4

    # The same signed preview cannot be confirmed twice: the name is taken now.
    response = client.post(IMPORT_URL, {"payload": payload})
    assert response.status_code == 400
    assert NeedSurvey.objects.count() == 1


def test_page_example_is_an_excerpt_of_the_fixture():
    fixture_lines = set(EXAMPLE.read_text(encoding="utf-8").splitlines())
    assert set(EXAMPLE_CSV.splitlines()) <= fixture_lines


def test_bom_comma_separator_labels_and_percent_signs_are_read():
    content = (
        "\ufeffEnhetstype,Tema,Andel,Antall svar\n"
        'Barnehage,Psykisk helse,"42,25 %",\n'
        "SKOLE,  Atferd ,17.5%,1 204\n"
    ).encode()
    parsed = needs_file_parse(content=content)
    assert parsed.problems == []
    assert [(row.unit_kind, row.theme, row.share, row.respondents) for row in parsed.rows] == [
        ("barnehage", "Psykisk helse", Decimal("42.3"), None),
        ("skole", "Atferd", Decimal("17.5"), 1204),
    ]


def test_windows_1252_file_imports_with_norwegian_letters(client, competence_cast):
    client.force_login(competence_cast["sector_leader"])
    content = (HEADER + "barnehage;Særskilt tilrettelegging for små barn;33,3;12\n").encode(
        "cp1252"
    )
    response = _step_one(client, content)
    assert response.status_code == 200
    client.post(IMPORT_URL, {"payload": response.context["payload"]})
    need = CompetenceNeed.objects.get()
    assert need.theme.name == "Særskilt tilrettelegging for små barn"
    assert need.share == Decimal("33.3")


TOO_MANY = (HEADER + "".join(f"skole;Tema {n};10;5\n" for n in range(5001))).encode()


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        pytest.param(b"", ["Filen er tom."], id="empty"),
        pytest.param(b"\r\n\r\n", ["Filen er tom."], id="blank-lines"),
        pytest.param(
            HEADER.encode() + b";;;\n",
            ["Linje 1: Filen har bare overskriftsraden og ingen rader med behov."],
            id="no-data-rows",
        ),
        pytest.param(
            b"enhetstype;tema;antall_svar\nskole;Atferd;3\n",
            [
                "Linje 1: Overskriftsraden mangler kolonnen «andel». Filen må ha kolonnene "
                "«enhetstype», «tema», «andel», og kan ha «antall_svar»."
            ],
            id="missing-column",
        ),
        pytest.param(
            (HEADER + "skole;Atferd;40;3\nskole;Lærevansker;120;3\n").encode(),
            [
                "Linje 3, kolonne «andel» («120»): Andelen må være mellom 0 og 100 prosent.",
            ],
            id="share-120",
        ),
        pytest.param(
            (HEADER + "skole;Atferd;abc;3\n").encode(),
            [
                "Linje 2, kolonne «andel» («abc»): Andelen må være et tall mellom 0 og 100, "
                "for eksempel 42,5."
            ],
            id="share-abc",
        ),
        pytest.param(
            (
                HEADER + "skole;Atferd;40;3\nbarnehage;Atferd;40;3\nungdomsskole;Atferd;40;3\n"
            ).encode(),
            [
                "Linje 4, kolonne «enhetstype» («ungdomsskole»): Ukjent enhetstype. Gyldige "
                "verdier: barnehage, skole, sfo, helsestasjon, barnevern, ppt, kultur, fritid, "
                "administrasjon."
            ],
            id="unknown-kind",
        ),
        pytest.param(
            (HEADER + "skole;Atferd;40;3\nbarnehage;Atferd;40;3\nSkole;atferd;41;3\n").encode(),
            [
                "Linje 4: Enhetstype og tema står allerede på linje 2. Hver kombinasjon kan "
                "bare stå én gang."
            ],
            id="duplicate",
        ),
        pytest.param(
            (HEADER + 'skole;=HYPERLINK("http://x");40;3\nskole;@SUM(A1);4;3\n').encode(),
            [
                'Linje 2, kolonne «tema» («=HYPERLINK("http://x")»): Temaet ser ut som en '
                "regnearkformel (begynner med =, + eller @). Skriv temaet som vanlig tekst.",
                "Linje 3, kolonne «tema» («@SUM(A1)»): Temaet ser ut som en regnearkformel "
                "(begynner med =, + eller @). Skriv temaet som vanlig tekst.",
            ],
            id="formula",
        ),
        pytest.param(
            (HEADER + "skole;Atferd;40;mange\n").encode(),
            [
                "Linje 2, kolonne «antall_svar» («mange»): Antall svar må være et helt tall "
                "(0 eller mer), eller stå tomt."
            ],
            id="respondents",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            [
                "Filen kan ikke leses som tekst. Lagre den som CSV (UTF-8) fra regnearket og "
                "prøv igjen."
            ],
            id="binary",
        ),
        pytest.param(
            (HEADER + "skole;Atferd;40;3\nførskole;Språk og lek;40;3\n").encode("cp1252"),
            [
                "Linje 3, kolonne «enhetstype» («førskole»): Ukjent enhetstype. Gyldige "
                "verdier: barnehage, skole, sfo, helsestasjon, barnevern, ppt, kultur, fritid, "
                "administrasjon."
            ],
            id="windows-1252-bad-kind",
        ),
        pytest.param(
            TOO_MANY,
            [
                "Linje 5002: Filen har flere enn 5\u00a0000 datarader. Del den opp i mindre "
                "filer og importer dem hver for seg."
            ],
            id="too-many-rows",
        ),
    ],
)
def test_bad_file_gives_the_exact_message_and_writes_nothing(
    client, competence_cast, content, messages
):
    client.force_login(competence_cast["data_admin"])
    response = _step_one(client, content)
    assert response.status_code == 400
    assert [str(problem) for problem in response.context["problems"]] == messages
    assert "payload" not in response.context
    assert "Filen ble ikke importert" in response.content.decode()
    _nothing_written(competence_cast.municipality, themes_before=2)


def test_every_problem_is_counted_and_the_first_fifty_shown(client, competence_cast):
    client.force_login(competence_cast["data_admin"])
    content = (HEADER + "".join(f"skole;Tema {n};x;3\n" for n in range(60))).encode()
    response = _step_one(client, content)
    assert response.context["problem_count"] == 60
    assert len(response.context["problems"]) == 50
    assert str(response.context["problems"][0]).startswith("Linje 2, kolonne «andel»")


def test_file_over_two_megabytes_is_refused(client, competence_cast):
    client.force_login(competence_cast["data_admin"])
    content = HEADER.encode() + b"skole;Atferd;40;3\n" + b" " * (2 * 1024 * 1024)
    response = _step_one(client, content)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "Filen er større enn 2 MB. Del den opp i mindre filer og importer dem hver for seg."
    ]
    _nothing_written(competence_cast.municipality, themes_before=2)


def test_survey_name_already_in_the_municipality_is_refused(client, competence_cast):
    NeedSurvey.objects.create(
        municipality=competence_cast.municipality,
        name="KOSIP november 2026",
        conducted_on=datetime.date(2026, 11, 1),
        school_year=2027,
    )
    client.force_login(competence_cast["data_admin"])
    response = _step_one(client, EXAMPLE.read_bytes(), name="kosip  November 2026")
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "Kommunen har allerede en kartlegging som heter «kosip November 2026». Velg et annet navn."
    ]
    assert NeedSurvey.objects.count() == 1


def test_bad_school_year_is_refused(client, competence_cast):
    client.force_login(competence_cast["data_admin"])
    response = client.post(
        IMPORT_URL,
        {
            "name": "KOSIP",
            "conducted_on": "2026-11-16",
            "school_year": "2027/29",
            "file": _upload(EXAMPLE.read_bytes()),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["school_year"] == [
        "Skriv barnehage- og skoleåret som for eksempel 2027/28."
    ]


def _preview_payload(client, competence_cast) -> str:
    client.force_login(competence_cast["data_admin"])
    return _step_one(client, EXAMPLE.read_bytes()).context["payload"]


REFUSED = "Forhåndsvisningen er utløpt eller endret, så ingenting ble lagret."


def test_tampered_payload_is_refused(client, competence_cast):
    payload = _preview_payload(client, competence_cast)
    signer = signing.TimestampSigner(salt=SIGNING_SALT)
    data = signer.unsign_object(payload)
    data["rows"][0][3] = "99.9"
    # A payload re-made without the key (signed with another salt), and one edited by hand.
    forged = signing.TimestampSigner(salt="something-else").sign_object(data, compress=True)
    value, _sep, signature = payload.rpartition(":")
    edited = value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + signature
    for bad in (forged, edited, "", "not-a-payload"):
        response = client.post(IMPORT_URL, {"payload": bad})
        assert response.status_code == 400
        assert REFUSED in response.content.decode()
    assert not NeedSurvey.objects.exists()
    assert not CompetenceNeed.objects.exists()


def test_expired_payload_is_refused(client, competence_cast, monkeypatch):
    payload = _preview_payload(client, competence_cast)
    now = signing.time.time()
    # Only the signer's clock moves on: the session's idle timeout keeps its own.
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: now + 60 * 60 + 5))
    response = client.post(IMPORT_URL, {"payload": payload})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not NeedSurvey.objects.exists()


def test_payload_is_bound_to_the_user_who_previewed_it(client, competence_cast):
    payload = _preview_payload(client, competence_cast)
    client.force_login(competence_cast["sector_leader"])
    response = client.post(IMPORT_URL, {"payload": payload})
    assert response.status_code == 400
    assert not NeedSurvey.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff", 403),
        ("unit_leader", 403),
        ("bti_coordinator", 403),
        ("elected_official", 403),
        ("no_membership", 403),
        ("data_admin", 200),
        ("sector_leader", 200),
    ],
)
def test_who_may_import(client, competence_cast, persona, status):
    client.force_login(competence_cast[persona])
    assert client.get(IMPORT_URL).status_code == status
    response = _step_one(client, EXAMPLE.read_bytes())
    assert response.status_code == status
    if status == 403:
        assert client.post(IMPORT_URL, {"payload": "x"}).status_code == 403


def test_anonymous_is_sent_to_login(client, competence_cast):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_import_page_documents_the_columns_and_shows_the_example(client, competence_cast):
    client.force_login(competence_cast["data_admin"])
    content = client.get(IMPORT_URL).content.decode()
    for column in ("enhetstype", "tema", "andel", "antall_svar"):
        assert f"<code>{column}</code>" in content
    assert "skole;Lærevansker;55,0;112" in content
    assert 'enctype="multipart/form-data"' in content


# --- Coverage ------------------------------------------------------------------------------


def _survey(municipality, needs, *, name="KOSIP 2025", school_year=2026, conducted=(2025, 11, 18)):
    survey = NeedSurvey.objects.create(
        municipality=municipality,
        name=name,
        conducted_on=datetime.date(*conducted),
        school_year=school_year,
    )
    for kind, theme, share in needs:
        CompetenceNeed.objects.create(
            survey=survey, unit_kind=kind, theme=theme, share=Decimal(share)
        )
    return survey


@pytest.fixture
def coverage(competence_cast):
    """The cast's school activity (theme «Inkluderende læringsmiljø», for schools, 2026)
    and a survey asking for it in schools and kindergartens and for «Psykisk helse»."""
    themes = competence_cast.themes
    survey = _survey(
        competence_cast.municipality,
        [
            (UnitKind.SCHOOL, themes["Inkluderende læringsmiljø"], "44.2"),
            (UnitKind.KINDERGARTEN, themes["Inkluderende læringsmiljø"], "61.0"),
            (UnitKind.KINDERGARTEN, themes["Psykisk helse"], "30.5"),
        ],
    )
    return survey


def _rows(overview):
    return {
        (row.need.unit_kind, row.theme.name): [activity.title for activity in row.activities]
        for row in overview.needs
    }


def test_need_is_covered_by_an_activity_for_its_kind_and_open_for_another_kind(
    competence_cast, coverage
):
    overview = needs_coverage(competence_cast["staff"], coverage, 2026)
    assert _rows(overview) == {
        ("skole", "Inkluderende læringsmiljø"): ["Fagdag om skolefravær"],
        ("barnehage", "Inkluderende læringsmiljø"): [],
        ("barnehage", "Psykisk helse"): [],
    }
    assert [float(row.share) for row in overview.needs] == [61.0, 44.2, 30.5]
    assert (overview.covered_count, overview.total) == (1, 3)
    assert [kind.unit_kind for kind in overview.kinds] == [UnitKind.KINDERGARTEN, UnitKind.SCHOOL]


def test_untargeted_activity_covers_every_kind_and_a_target_unit_covers_its_kind(
    competence_cast, coverage
):
    municipality = competence_cast.municipality
    themes = competence_cast.themes
    everyone = ActivityFactory(municipality=municipality, title="Åpen fagdag", school_year=2026)
    everyone.themes.add(themes["Psykisk helse"])
    by_unit = ActivityFactory(municipality=municipality, title="For Solbakken", school_year=2026)
    by_unit.themes.add(themes["Inkluderende læringsmiljø"])
    by_unit.target_units.add(competence_cast.kindergarten)
    leaders_only = ActivityFactory(
        municipality=municipality,
        title="Bare for ledere",
        school_year=2026,
        target_roles=[Role.UNIT_LEADER],
    )
    leaders_only.themes.add(themes["Psykisk helse"])
    last_year = ActivityFactory(municipality=municipality, title="I fjor", school_year=2025)
    last_year.themes.add(themes["Psykisk helse"])

    rows = _rows(needs_coverage(competence_cast["staff"], coverage, 2026))
    assert rows[(UnitKind.KINDERGARTEN, "Psykisk helse")] == ["Åpen fagdag"]
    assert rows[(UnitKind.KINDERGARTEN, "Inkluderende læringsmiljø")] == ["For Solbakken"]
    assert rows[(UnitKind.SCHOOL, "Inkluderende læringsmiljø")] == ["Fagdag om skolefravær"]
    # Compared with another school year, only that year's activities count.
    assert _rows(needs_coverage(competence_cast["staff"], coverage, 2025))[
        ("barnehage", "Psykisk helse")
    ] == ["I fjor"]


def test_themes_activities_cover_that_no_need_asks_for(competence_cast, coverage):
    extra = ThemeFactory(municipality=competence_cast.municipality, name="Autisme")
    competence_cast.activity.themes.add(extra)
    overview = needs_coverage(competence_cast["staff"], coverage, 2026)
    assert [(item.theme.name, [a.title for a in item.activities]) for item in overview.unasked] == [
        ("Autisme", ["Fagdag om skolefravær"])
    ]


def test_another_municipality_never_appears(client, competence_cast, coverage):
    other = competence_cast.other_municipality
    other_theme = ThemeFactory(municipality=other, name="Inkluderende læringsmiljø")
    competence_cast.other_activity.themes.add(other_theme)
    competence_cast.other_activity.school_year = 2026
    competence_cast.other_activity.save()
    other_survey = _survey(
        other,
        [(UnitKind.KINDERGARTEN, other_theme, "90.0")],
        name="Naboviks hemmelige kartlegging",
        conducted=(2026, 11, 1),
    )
    rows = _rows(needs_coverage(competence_cast["staff"], coverage, 2026))
    assert "Nabovik-kurs i hemmelighet" not in str(rows)
    # A survey the user cannot see gives no needs.
    assert needs_coverage(competence_cast["staff"], other_survey, 2026).needs == []

    client.force_login(competence_cast["staff"])
    response = client.get(NEEDS_URL)
    content = response.content.decode()
    assert response.context["survey"] == coverage
    assert "Naboviks hemmelige kartlegging" not in content
    assert "Nabovik-kurs i hemmelighet" not in content
    assert client.get(NEEDS_URL, {"survey": other_survey.pk}).status_code == 404
    assert client.get(NEEDS_URL, {"survey": "abc"}).status_code == 404


def test_coverage_page_shows_tables_summary_chart_and_links(client, competence_cast, coverage):
    older = _survey(
        competence_cast.municipality,
        [(UnitKind.SCHOOL, competence_cast.themes["Psykisk helse"], "10.0")],
        name="KOSIP 2021",
        school_year=2022,
        conducted=(2021, 11, 15),
    )
    client.force_login(competence_cast["staff"])
    response = client.get(NEEDS_URL)
    content = response.content.decode()
    assert response.status_code == 200
    # The latest survey by default; the older one can be chosen.
    assert response.context["survey"] == coverage
    assert "1 av 3 behov er dekket" in content
    assert content.count("Ikke dekket") == 2
    detail = reverse("competence:activity-detail", args=[competence_cast.activity.pk])
    assert f'href="{detail}"' in content
    assert (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" id="needs-chart-barnehage"' in content
    )
    assert 'data-label="Inkluderende læringsmiljø" data-value="61.0"' in content
    assert "<caption" in content
    # Staff read the needs but do not import.
    assert IMPORT_URL not in content

    response = client.get(NEEDS_URL, {"survey": older.pk})
    assert response.context["survey"] == older
    assert "0 av 1 behov er dekket" in response.content.decode()


def test_coverage_page_offers_import_to_those_who_may(client, competence_cast):
    client.force_login(competence_cast["data_admin"])
    content = client.get(NEEDS_URL).content.decode()
    assert "Kommunen har ikke importert noen kompetansekartlegging ennå." in content
    assert f'href="{IMPORT_URL}"' in content


def test_coverage_page_access(client, competence_cast, coverage):
    assert client.get(NEEDS_URL).status_code == 302
    client.force_login(competence_cast["no_membership"])
    assert client.get(NEEDS_URL).status_code == 403
    client.force_login(competence_cast["elected_official"])
    assert client.get(NEEDS_URL).status_code == 200


def test_coverage_page_queries_do_not_grow_with_rows(
    client, competence_cast, coverage, django_assert_max_num_queries
):
    client.force_login(competence_cast["sector_leader"])
    client.get(NEEDS_URL)  # warm up: session, access, content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(NEEDS_URL).status_code == 200

    municipality = competence_cast.municipality
    kinds = [UnitKind.KINDERGARTEN, UnitKind.SCHOOL, UnitKind.SFO, UnitKind.PPT, UnitKind.CULTURE]
    themes = [ThemeFactory(municipality=municipality, name=f"Tema {n}") for n in range(10)]
    for n, theme in enumerate(themes):
        for kind in kinds:
            CompetenceNeed.objects.create(
                survey=coverage, unit_kind=kind, theme=theme, share=Decimal(n * 5 + 1)
            )
        activity = ActivityFactory(municipality=municipality, school_year=2026)
        activity.themes.add(theme)
        activity.target_units.add(competence_cast.kindergarten if n % 2 else competence_cast.school)
    assert coverage.needs.count() == 53

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(NEEDS_URL)
    assert response.status_code == 200
    assert response.context["overview"].total == 53


def test_a_survey_imported_by_mistake_can_be_deleted(competence_cast, client):
    import datetime as _dt

    from competence.models import CompetenceNeed, NeedSurvey, Theme

    survey = NeedSurvey.objects.create(
        municipality=competence_cast.municipality,
        name="Feil fil",
        conducted_on=_dt.date(2026, 11, 1),
        school_year=2026,
    )
    theme = Theme.objects.get(name="Psykisk helse")
    CompetenceNeed.objects.create(survey=survey, unit_kind="skole", theme=theme, share=40)
    url = f"/competence/needs/{survey.pk}/delete/"

    client.force_login(competence_cast["staff"])
    assert client.post(url).status_code == 403
    client.force_login(competence_cast["other_municipality"])
    assert client.post(url).status_code == 404
    assert NeedSurvey.objects.filter(pk=survey.pk).exists()

    client.force_login(competence_cast["data_admin"])
    page = client.get(url).content.decode()
    assert "Vil du slette «Feil fil» med 1 behov?" in page
    response = client.post(url, follow=True)
    assert "Kartleggingen «Feil fil» er slettet." in response.content.decode()
    assert not NeedSurvey.objects.filter(pk=survey.pk).exists()
    assert not CompetenceNeed.objects.filter(theme=theme).exists()
    assert Theme.objects.filter(pk=theme.pk).exists()
