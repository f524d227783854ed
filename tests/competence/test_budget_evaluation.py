"""Budget per funding scheme, the funding scheme forms and the yearly evaluation: exact
figures, who sees them, and that no participant's name ever shows."""

from __future__ import annotations

import csv
import datetime
import html
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from competence.models import Feedback, FundingGrant, FundingScheme, RegistrationStatus
from competence.selectors.reports import budget_overview, evaluation
from tests.factories import (
    ActivityFactory,
    FundingSchemeFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)
from tests.pdf_reading import pdf_text as read_pdf_text


@pytest.fixture
def pdf_text():
    return read_pdf_text


BUDGET = reverse("competence:budget")
EVALUATION = reverse("competence:evaluation")


# --- Budget -------------------------------------------------------------------------------


@pytest.fixture
def money(competence_cast):
    """Kompetanseløftet (grant 200 000): the fixture's activity (50 000 / 10 000) and one
    more (100 000 / 30 000). Dekomp (grant 50 000): one activity (80 000 / 50 000). One
    activity without a scheme (20 000 / 5 000). Last year's and the neighbour's money
    must not count."""
    municipality = competence_cast.municipality
    ActivityFactory(
        municipality=municipality,
        funding_scheme=competence_cast.scheme,
        budget=100000,
        spent=30000,
    )
    dekomp = FundingSchemeFactory(municipality=municipality, name="Dekomp")
    FundingGrant.objects.create(scheme=dekomp, school_year=2026, amount=50000)
    dekomp_activity = ActivityFactory(
        municipality=municipality, funding_scheme=dekomp, budget=80000, spent=50000
    )
    ActivityFactory(municipality=municipality, budget=20000, spent=5000)
    ActivityFactory(
        municipality=municipality,
        funding_scheme=competence_cast.scheme,
        school_year=2025,
        budget=999000,
        spent=999000,
    )
    neighbour = FundingSchemeFactory(municipality=competence_cast.other_municipality)
    FundingGrant.objects.create(scheme=neighbour, school_year=2026, amount=1)
    ActivityFactory(
        municipality=competence_cast.other_municipality,
        funding_scheme=neighbour,
        budget=777000,
        spent=777000,
    )
    return {"cast": competence_cast, "dekomp": dekomp, "dekomp_activity": dekomp_activity}


def test_budget_figures_per_scheme_are_exact(money):
    overview = budget_overview(money["cast"]["sector_leader"], 2026)
    rows = {row.label: row for row in overview.rows}
    assert list(rows) == ["Dekomp", "Kompetanseløftet", "Uten tilskuddsordning"]
    kl = rows["Kompetanseløftet"]
    assert (kl.grant, kl.planned, kl.used, kl.remaining) == (200000, 150000, 40000, 160000)
    assert (kl.overspent, kl.overplanned, kl.activities) == (False, False, 2)
    dekomp = rows["Dekomp"]
    assert (dekomp.grant, dekomp.planned, dekomp.used, dekomp.remaining) == (
        50000,
        80000,
        50000,
        0,
    )
    # Used exactly the grant: planned over it, but not overspent.
    assert (dekomp.overspent, dekomp.overplanned) == (False, True)
    none = rows["Uten tilskuddsordning"]
    assert (none.grant, none.planned, none.used, none.remaining) == (None, 20000, 5000, None)
    assert not none.overspent
    total = overview.total
    assert (total.grant, total.planned, total.used, total.activities) == (
        250000,
        250000,
        95000,
        4,
    )


def test_overspent_warning_appears_only_when_used_exceeds_the_grant(client, money):
    client.force_login(money["cast"]["sector_leader"])
    content = client.get(BUDGET).content.decode()
    assert "Overforbruk:" not in content
    assert "Planlagt over tilskuddet:" in content  # Dekomp's budgets exceed its grant

    money["dekomp_activity"].spent = 50001
    money["dekomp_activity"].save()
    response = client.get(BUDGET)
    content = response.content.decode()
    assert [row.label for row in response.context["overview"].overspent] == ["Dekomp"]
    assert content.count('role="alert"') == 1
    assert "Overforbruk:" in content
    assert "Dekomp har brukt 50\xa0001 kr av et tilskudd på 50\xa0000 kr (-1 kr)." in content
    assert "Kompetanseløftet har brukt" not in content


def test_budget_page_shows_the_table_and_a_chart_with_the_same_numbers(client, money):
    client.force_login(money["cast"]["sector_leader"])
    response = client.get(BUDGET)
    content = response.content.decode()
    assert "<caption>Tilskudd, planlagt og brukt per tilskuddsordning 2026/27 (kr)" in content
    assert "200\xa0000" in content
    assert "160\xa0000" in content
    assert 'role="img"' in content
    assert 'data-label="Kompetanseløftet: brukt" data-value="40"' in content
    assert "777" not in content


def test_budget_year_selector(client, money):
    client.force_login(money["cast"]["sector_leader"])
    response = client.get(BUDGET, {"year": 2025})
    rows = {row.label: row for row in response.context["overview"].rows}
    assert rows["Kompetanseløftet"].used == 999000
    assert rows["Kompetanseløftet"].grant is None
    assert rows["Kompetanseløftet"].missing_grant
    assert "Ingen tilskudd registrert" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("sector_leader", 200),
        ("elected_official", 200),
        ("staff", 403),
        ("unit_leader", 403),
        ("bti_coordinator", 403),
        ("no_membership", 403),
    ],
)
def test_who_sees_the_budget(client, money, persona, status):
    client.force_login(money["cast"][persona])
    assert client.get(BUDGET).status_code == status


def test_other_municipality_budget_holds_only_its_own(money):
    overview = budget_overview(money["cast"]["other_municipality"], 2026)
    # Its scheme, and its fixture activity without one.
    assert [(row.grant, row.used) for row in overview.rows] == [(1, 777000), (None, 0)]
    assert overview.rows[0].overspent


# --- Funding schemes ---------------------------------------------------------------------


def grant_data(*grants, name="Rekomp", total=None, initial=0, **extra):
    data = {
        "name": name,
        "description": "For barnehagene",
        "active": "on",
        "grants-TOTAL_FORMS": str(total if total is not None else len(grants)),
        "grants-INITIAL_FORMS": str(initial),
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }
    for index, grant in enumerate(grants):
        for key, value in grant.items():
            data[f"grants-{index}-{key}"] = value
    data.update(extra)
    return data


def test_sector_leader_creates_a_scheme_with_grants(client, competence_cast):
    client.force_login(competence_cast["sector_leader"])
    response = client.post(
        reverse("competence:funding-add"),
        grant_data(
            {"school_year": "2026/27", "amount": "120000", "note": "Tildelt i juni"},
            {"school_year": "2025-26", "amount": "90000"},
        ),
    )
    assert response.status_code == 302
    scheme = FundingScheme.objects.get(name="Rekomp")
    assert scheme.municipality == competence_cast.municipality
    assert dict(scheme.grants.values_list("school_year", "amount")) == {
        2026: Decimal(120000),
        2025: Decimal(90000),
    }
    listing = client.get(reverse("competence:funding-list")).content.decode()
    assert "2026/27: 120\xa0000 kr (Tildelt i juni)" in listing


@pytest.mark.parametrize(
    ("grants", "message"),
    [
        (
            [{"school_year": "2026/27", "amount": "1"}, {"school_year": "2026–27", "amount": "2"}],
            "Det kan bare være ett tilskudd per skoleår: 2026/27 står flere ganger.",
        ),
        ([{"school_year": "2026/27", "amount": "-5"}], "Tilskuddet kan ikke være negativt."),
        ([{"school_year": "2026/28", "amount": "5"}], "Skriv skoleåret som «2026/27»."),
        ([{"school_year": "neste år", "amount": "5"}], "Skriv skoleåret som «2026/27»."),
        # A lone year could mean either of two school years (SchoolYear.parse refuses it).
        ([{"school_year": "2026", "amount": "5"}], "Skriv skoleåret som «2026/27»."),
    ],
)
def test_bad_grants_are_refused_in_norwegian_and_nothing_is_written(
    client, competence_cast, grants, message
):
    client.force_login(competence_cast["sector_leader"])
    response = client.post(reverse("competence:funding-add"), grant_data(*grants))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FundingScheme.objects.filter(name="Rekomp").exists()


def test_scheme_names_are_unique_in_the_municipality(client, competence_cast):
    client.force_login(competence_cast["sector_leader"])
    response = client.post(reverse("competence:funding-add"), grant_data(name="kompetanseløftet"))
    assert "Kommunen har allerede en tilskuddsordning med dette navnet." in (
        response.content.decode()
    )
    assert FundingScheme.objects.filter(municipality=competence_cast.municipality).count() == 1


def test_editing_replaces_the_grants(client, competence_cast):
    scheme = competence_cast.scheme
    grant = scheme.grants.get()
    client.force_login(competence_cast["sector_leader"])
    url = reverse("competence:funding-edit", args=[scheme.pk])
    form = client.get(url)
    assert 'value="2026/27"' in form.content.decode()
    response = client.post(
        url,
        grant_data(
            {"id": str(grant.pk), "school_year": "2026/27", "amount": "250000", "DELETE": ""},
            {"school_year": "2027/28", "amount": "100000"},
            name="Kompetanseløftet",
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert dict(scheme.grants.values_list("school_year", "amount")) == {
        2026: Decimal(250000),
        2027: Decimal(100000),
    }
    scheme.refresh_from_db()
    assert scheme.description == "For barnehagene"
    response = client.post(
        url,
        grant_data(
            {"id": str(grant.pk), "school_year": "2026/27", "amount": "250000", "DELETE": "on"},
            name="Kompetanseløftet",
            initial=1,
        ),
    )
    assert response.status_code == 302
    assert list(scheme.grants.values_list("school_year", flat=True)) == []


@pytest.mark.parametrize("persona", ["staff", "elected_official", "unit_leader"])
def test_only_planners_manage_funding(client, competence_cast, persona):
    client.force_login(competence_cast[persona])
    assert client.get(reverse("competence:funding-list")).status_code == 403
    assert client.get(reverse("competence:funding-add")).status_code == 403
    edit = reverse("competence:funding-edit", args=[competence_cast.scheme.pk])
    assert client.post(edit, grant_data(name="Kapret")).status_code == 403
    assert FundingScheme.objects.filter(name="Kompetanseløftet").exists()


def test_another_municipalitys_scheme_is_404(client, competence_cast):
    foreign = FundingSchemeFactory(municipality=competence_cast.other_municipality)
    client.force_login(competence_cast["sector_leader"])
    assert client.get(reverse("competence:funding-edit", args=[foreign.pk])).status_code == 404


# --- Yearly evaluation --------------------------------------------------------------------


@pytest.fixture
def held(competence_cast, plan_cast):
    """The fixture's activity with two sessions held: four confirmed sign-ups, three came,
    two gave feedback (4 and 5). Noise that must not count: a cancelled and a waiting
    sign-up to a held session, and a sign-up to the future session."""
    activity = competence_cast.activity
    activity.areas.add(plan_cast.areas[0])
    now = timezone.now()
    sessions = [
        SessionFactory(
            activity=activity,
            starts_at=now - datetime.timedelta(days=days),
            ends_at=now - datetime.timedelta(days=days) + datetime.timedelta(hours=3),
        )
        for days in (20, 10)
    ]
    people = [UserFactory(first_name="Deltaker", last_name=f"Hemmeligsen{n}") for n in range(7)]
    registrations = [
        RegistrationFactory(session=sessions[0], user=people[0], attended=True),
        RegistrationFactory(session=sessions[0], user=people[1], attended=True),
        RegistrationFactory(session=sessions[1], user=people[2], attended=True),
        RegistrationFactory(session=sessions[1], user=people[3], attended=False),
    ]
    Feedback.objects.create(registration=registrations[0], score=4, comment="Nyttig")
    Feedback.objects.create(registration=registrations[2], score=5)
    RegistrationFactory(
        session=sessions[0], user=people[4], status=RegistrationStatus.CANCELLED, attended=True
    )
    RegistrationFactory(session=sessions[1], user=people[5], status=RegistrationStatus.WAITING)
    RegistrationFactory(session=competence_cast.session, user=people[6])
    quiet = ActivityFactory(
        municipality=competence_cast.municipality, title="Tiltak uten samlinger", form="kurs"
    )
    return {"cast": competence_cast, "activity": activity, "quiet": quiet, "people": people}


def test_attendance_rate_and_feedback_are_exact(held):
    result = evaluation(held["cast"]["elected_official"], 2026)
    rows = {row.activity.title: row for row in result.rows}
    row = rows["Fagdag om skolefravær"]
    assert (row.sessions_total, row.sessions_held) == (3, 2)
    assert (row.confirmed, row.attended) == (4, 3)
    assert row.attendance_rate == Decimal("75.0")
    assert (row.feedback_count, row.feedback_average) == (2, Decimal("4.50"))
    assert [area.name for area in row.areas] == ["Inkluderende miljø"]
    quiet = rows["Tiltak uten samlinger"]
    assert (quiet.sessions_held, quiet.attendance_rate, quiet.feedback_average) == (0, None, None)
    assert result.total.attendance_rate == Decimal("75.0")
    assert result.total.feedback_average == Decimal("4.50")
    assert [(area.name, area.activities, area.attendance_rate) for area in result.areas] == [
        ("Inkluderende miljø", 1, Decimal("75.0"))
    ]
    assert (result.without_area.activities, result.without_area.confirmed) == (1, 0)
    assert "Nabovik-kurs i hemmelighet" not in rows


def test_evaluation_page_shows_small_figures_as_suppressed_and_no_names(client, held):
    """Four confirmed, three came, two answered: counts of fewer than five people, so
    every one of them, the rate and the average show as «<5» to every member."""
    client.force_login(held["cast"]["elected_official"])
    response = client.get(EVALUATION)
    assert response.status_code == 200
    content = response.content.decode()
    assert "75,0 %" not in content
    assert "4,5 (2 svar)" not in content
    assert "&lt;5" in content
    assert "Inkluderende miljø" in content
    assert "Hemmeligsen" not in content
    assert "Nyttig" not in content
    assert "Nabovik" not in content
    # Elected officials may take the report along.
    assert reverse("competence:evaluation-export", args=["pdf"]) in content


def test_evaluation_csv_and_xlsx_hold_the_exact_figures(client, held):
    client.force_login(held["cast"]["elected_official"])
    url = reverse("competence:evaluation-export", args=["csv"])
    response = client.get(url, {"year": 2026})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:7] == [
        "Tiltak",
        "Læringsform",
        "Samlinger",
        "Samlinger gjennomført",
        "Påmeldte",
        "Møtte",
        "Oppmøte (%)",
    ]
    # Counts of fewer than five people are «<5» in the export too, with what follows
    # from them; the totals would be those counts again, so they are withheld («:»).
    assert rows[1] == [
        "Fagdag om skolefravær",
        "Fagdag",
        "3",
        "2",
        "<5",
        "<5",
        "<5",
        "<5",
        "<5",
        "Inkluderende miljø",
    ]
    assert rows[2] == ["Tiltak uten samlinger", "Kurs", "0", "0", "<5", "<5", "<5", "<5", "<5", ""]
    assert rows[3][:7] == ["Sum", "", "3", "2", ":", ":", ":"]
    assert "Hemmeligsen" not in text

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("competence:evaluation-export", args=["xlsx"])).content)
    )
    assert workbook.sheetnames == ["Per tiltak", "Per utviklingsområde"]
    values = [cell.value for cell in workbook["Per tiltak"][2]]
    assert values[:2] == ["Fagdag om skolefravær", "Fagdag"]
    assert values[2:] == [3, 2, "<5", "<5", "<5", "<5", "<5", "Inkluderende miljø"]
    areas = [[cell.value for cell in row] for row in workbook["Per utviklingsområde"].iter_rows()]
    assert areas[1] == ["Inkluderende miljø", 1, 2, ":", ":", ":", ":", ":"]
    assert areas[2][:2] == ["Uten utviklingsområde", 1]


def test_evaluation_pdf_is_the_report_for_the_county_governor(client, held, pdf_text):
    client.force_login(held["cast"]["sector_leader"])
    response = client.get(reverse("competence:evaluation-export", args=["pdf"]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Årlig evaluering av kompetansetiltak 2026/27" in text
    assert "Statsforvalteren" in text
    assert "Fagdag om skolefravær" in text
    assert "75,0 %" not in text
    assert "4,5 (2 svar)" not in text
    assert "<5" in text
    assert "Per utviklingsområde" in text
    assert "Hemmeligsen" not in text
    assert "Nabovik" not in text


@pytest.mark.parametrize("persona", ["staff", "unit_leader", "bti_coordinator"])
def test_members_read_the_evaluation_but_only_planners_and_officials_export(client, held, persona):
    client.force_login(held["cast"][persona])
    response = client.get(EVALUATION)
    assert response.status_code == 200
    assert "&lt;5" in response.content.decode()
    assert reverse("competence:evaluation-export", args=["csv"]) not in response.content.decode()
    for fmt in ("csv", "xlsx", "pdf"):
        url = reverse("competence:evaluation-export", args=[fmt])
        assert client.get(url).status_code == 403


def test_unknown_evaluation_format_is_404(client, held):
    client.force_login(held["cast"]["sector_leader"])
    url = reverse("competence:evaluation-export", args=["docx"])
    assert client.get(url).status_code == 404


def test_other_municipality_evaluates_only_its_own(client, held):
    client.force_login(held["cast"]["other_municipality"])
    response = client.get(EVALUATION)
    assert [row.activity.title for row in response.context["evaluation"].rows] == [
        "Nabovik-kurs i hemmelighet"
    ]
    assert "Fagdag om skolefravær" not in response.content.decode()


def test_evaluation_page_and_pdf_show_the_same_figures_per_activity_and_area(
    client, held, pdf_text
):
    """The page and the PDF draw the figure cells and the area rows from the same
    partials (competence/reports/_figure_cells.html and _area_row.html)."""
    client.force_login(held["cast"]["sector_leader"])
    page = client.get(EVALUATION).content.decode()
    page_text = " ".join(html.unescape(strip_tags(page)).split())
    pdf = pdf_text(client.get(reverse("competence:evaluation-export", args=["pdf"])).content)
    activity = "2 av 3 <5 <5 <5 <5"  # held of planned, confirmed, came, rate, feedback
    area = "Inkluderende miljø 1 2 : : : :"  # an area of one activity withholds its sums
    for text in (page_text, pdf):
        assert activity in text
        assert area in text
