"""The activity table: its filters, its CSV, XLSX and PDF exports, who sees it, and the
PDF entry point's refusal to fetch anything but static files."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zlib

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from competence.models import Activity
from documents.layout import StaticFilesOnly
from documents.pdf import render_pdf
from plans.models import UnitKind
from tests.factories import (
    ActivityFactory,
    FundingSchemeFactory,
    SessionFactory,
    ThemeFactory,
    UnitFactory,
    UserFactory,
)
from tests.pdf_reading import pdf_text as read_pdf_text


@pytest.fixture
def pdf_text():
    return read_pdf_text


HYPERLINK = '=HYPERLINK("https://evil.example/","Klikk")'
TABLE = reverse("competence:activity-table")


def export_url(fmt, **query):
    from django.utils.http import urlencode

    url = reverse("competence:activity-export", args=[fmt])
    return f"{url}?{urlencode(query)}" if query else url


def at(days, hour=12):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def table(competence_cast, plan_cast):
    """Three activities of 2026/27 besides the fixture's, one of 2025/26, and the other
    municipality's secret course."""
    municipality = competence_cast.municipality
    areas = plan_cast.areas
    school_activity = competence_cast.activity  # skole, Kompetanseløftet, 30 days ahead
    school_activity.areas.add(areas[0])
    school_activity.organiser_units.add(competence_cast.school)
    school_activity.partners = "USN"
    school_activity.save()
    rekomp = FundingSchemeFactory(municipality=municipality, name="Rekomp")
    kindergarten_activity = ActivityFactory(
        municipality=municipality,
        title="Språkløyper i barnehagen",
        form="kurs",
        content="Språk og språkvansker",
        target_kinds=[UnitKind.KINDERGARTEN],
        funding_scheme=rekomp,
        place="Solbakken barnehage",
    )
    kindergarten_activity.areas.add(areas[1])
    kindergarten_activity.themes.add(ThemeFactory(municipality=municipality, name="Språk"))
    SessionFactory(
        activity=kindergarten_activity, starts_at=at(10, 9), ends_at=at(10, 15), place=""
    )
    SessionFactory(
        activity=kindergarten_activity, starts_at=at(12, 9), ends_at=at(12, 11), place="Rådhuset"
    )
    everyone = ActivityFactory(
        municipality=municipality, title=HYPERLINK, form="nettverk", content="", place=""
    )
    last_year = ActivityFactory(
        municipality=municipality, title="Fjorårets fagdag", form="fagdag", school_year=2025
    )
    return {
        "school": school_activity,
        "kindergarten": kindergarten_activity,
        "everyone": everyone,
        "last_year": last_year,
        "rekomp": rekomp,
        "areas": areas,
        "cast": competence_cast,
    }


def titles(response):
    return [row.title for row in response.context["rows"]]


def test_table_lists_the_years_activities_in_date_order_with_the_plan_columns(client, table):
    client.force_login(table["cast"]["staff"])
    response = client.get(TABLE)
    assert response.status_code == 200
    # First session first; an activity without sessions last; 2025/26 not at all.
    assert titles(response) == ["Språkløyper i barnehagen", "Fagdag om skolefravær", HYPERLINK]
    row = response.context["rows"][0]
    assert row.form == "Kurs"
    assert row.target == "Barnehage"
    assert row.themes == ["Språk"]
    assert row.place == "Solbakken barnehage, Rådhuset"
    assert row.funding == "Rekomp"
    start = at(10, 9)
    assert row.dates[0] == f"{start:%d.%m.%Y} kl. 09.00–15.00"
    school_row = response.context["rows"][1]
    organiser = table["cast"].organiser
    assert school_row.organiser == f"Solvik barneskole, {organiser.get_full_name()}, USN"
    assert response.context["rows"][2].target == "Alle"
    content = response.content.decode()
    detail = reverse("competence:activity-detail", args=[table["kindergarten"].pk])
    assert f'href="{detail}"' in content
    assert "Nabovik-kurs i hemmelighet" not in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"target": UnitKind.KINDERGARTEN}, ["Språkløyper i barnehagen", HYPERLINK]),
        ({"target": UnitKind.SCHOOL}, ["Fagdag om skolefravær", HYPERLINK]),
        ({"learning_form": "nettverk"}, [HYPERLINK]),
        ({"year": 2025}, ["Fjorårets fagdag"]),
    ],
)
def test_filters_narrow_the_rows(client, table, query, expected):
    client.force_login(table["cast"]["staff"])
    assert titles(client.get(TABLE, query)) == expected


def test_filter_by_area_and_scheme(client, table):
    client.force_login(table["cast"]["staff"])
    by_area = client.get(TABLE, {"area": table["areas"][1].pk})
    assert titles(by_area) == ["Språkløyper i barnehagen"]
    by_scheme = client.get(TABLE, {"scheme": table["cast"].scheme.pk})
    assert titles(by_scheme) == ["Fagdag om skolefravær"]
    both = client.get(TABLE, {"scheme": table["rekomp"].pk, "area": table["areas"][0].pk})
    assert titles(both) == []
    assert "Ingen tiltak passer med filteret." in both.content.decode()


def test_a_unit_of_the_kind_in_the_target_group_counts_for_the_kind_filter(client, table):
    table["everyone"].target_units.add(table["cast"].kindergarten)
    client.force_login(table["cast"]["staff"])
    assert titles(client.get(TABLE, {"target": UnitKind.SCHOOL})) == ["Fagdag om skolefravær"]
    assert titles(client.get(TABLE, {"target": UnitKind.KINDERGARTEN})) == [
        "Språkløyper i barnehagen",
        HYPERLINK,
    ]


def test_another_municipalitys_scheme_is_not_a_filter_choice(client, table):
    foreign = FundingSchemeFactory(municipality=table["cast"].other_municipality)
    client.force_login(table["cast"]["staff"])
    response = client.get(TABLE, {"scheme": foreign.pk})
    # Not a valid choice: the current year's table without filters, and the error shown.
    assert response.context["filter_form"].errors["scheme"]
    assert len(titles(response)) == 3


def test_export_links_keep_the_filter(client, table):
    client.force_login(table["cast"]["staff"])
    response = client.get(TABLE, {"target": UnitKind.KINDERGARTEN})
    content = response.content.decode()
    assert f"{reverse('competence:activity-export', args=['csv'])}?target=barnehage" in content


def read_csv(response):
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_holds_exactly_the_rows_and_cells_with_formulas_escaped(client, table):
    client.force_login(table["cast"]["staff"])
    response = client.get(export_url("csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tiltaksplan-2026-27.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Barnehage- og skoleår",
        "Læringsform",
        "Tittel",
        "Målgruppe",
        "Arrangør",
        "Tema",
        "Innhold",
        "Tidspunkt",
        "Sted",
        "Finansiering",
    ]
    first, second = at(10, 9), at(12, 9)
    assert rows[1] == [
        "2026/27",
        "Kurs",
        "Språkløyper i barnehagen",
        "Barnehage",
        "",
        "Språk",
        "Språk og språkvansker",
        f"{first:%d.%m.%Y} kl. 09.00–15.00\n{second:%d.%m.%Y} kl. 09.00–11.00",
        "Solbakken barnehage, Rådhuset",
        "Rekomp",
    ]
    assert rows[2][2] == "Fagdag om skolefravær"
    assert rows[2][9] == "Kompetanseløftet"
    assert rows[3] == ["2026/27", "Nettverk", "'" + HYPERLINK, "Alle", "", "", "", "", "", ""]
    assert len(rows) == 4
    assert "Nabovik" not in response.content.decode("utf-8")


def test_csv_follows_the_filter(client, table):
    client.force_login(table["cast"]["staff"])
    rows = read_csv(client.get(export_url("csv", target=UnitKind.SCHOOL)))
    assert [row[2] for row in rows[1:]] == ["Fagdag om skolefravær", "'" + HYPERLINK]


def test_xlsx_holds_exactly_the_rows_and_escapes_formulas(client, table):
    client.force_login(table["cast"]["elected_official"])
    response = client.get(export_url("xlsx", learning_form="nettverk"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Barnehage- og skoleår", "Læringsform", "Tittel"]
    assert values[1] == ["2026/27", "Nettverk", "'" + HYPERLINK, "Alle"] + [None] * 6
    assert len(values) == 2
    title_cell = sheet.cell(row=2, column=3)
    assert title_cell.data_type == "s"


def test_xlsx_rows_match_the_page(client, table):
    client.force_login(table["cast"]["staff"])
    page = titles(client.get(TABLE))
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(export_url("xlsx")).content)).active
    exported = [row[2].value for row in sheet.iter_rows(min_row=2)]
    assert exported == [title if not title.startswith("=") else "'" + title for title in page]
    assert "Nabovik-kurs i hemmelighet" not in exported


def test_pdf_holds_the_activities_and_nothing_from_another_municipality(client, table, pdf_text):
    client.force_login(table["cast"]["staff"])
    response = client.get(export_url("pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Fagdag om skolefravær" in text
    assert "Språkløyper i barnehagen" in text
    assert "Tiltaksplan for kompetanse 2026/27" in text
    assert "Solvik kommune" in text
    assert "Nabovik" not in text
    assert "Side 1 av" in text


def test_pdf_names_the_filter(client, table, pdf_text):
    client.force_login(table["cast"]["staff"])
    text = pdf_text(client.get(export_url("pdf", target=UnitKind.SCHOOL)).content)
    assert "Målgruppe: Skole" in text
    assert "Språkløyper i barnehagen" not in text


def test_unknown_export_format_is_404(client, table):
    client.force_login(table["cast"]["staff"])
    assert client.get(reverse("competence:activity-export", args=["doc"])).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "elected_official", "unit_leader"])
def test_every_member_reads_the_table_but_only_planners_get_the_add_button(client, table, persona):
    client.force_login(table["cast"][persona])
    response = client.get(TABLE)
    assert response.status_code == 200
    assert reverse("competence:activity-add") not in response.content.decode()


def test_sector_leader_gets_the_add_button(client, table):
    client.force_login(table["cast"]["sector_leader"])
    response = client.get(TABLE)
    assert f'href="{reverse("competence:activity-add")}"' in response.content.decode()
    assert "Nytt tiltak" in response.content.decode()


def test_other_municipality_sees_only_its_own(client, table):
    client.force_login(table["cast"]["other_municipality"])
    assert titles(client.get(TABLE)) == ["Nabovik-kurs i hemmelighet"]
    rows = read_csv(client.get(export_url("csv")))
    assert [row[2] for row in rows[1:]] == ["Nabovik-kurs i hemmelighet"]


def test_anonymous_is_sent_to_login_and_non_members_are_refused(client, table):
    response = client.get(export_url("csv"))
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(table["cast"]["no_membership"])
    assert client.get(TABLE).status_code == 403
    assert client.get(export_url("csv")).status_code == 403


def _add_activities(cast, count):
    municipality = cast.municipality
    theme = ThemeFactory(municipality=municipality, name="Psykisk helse")
    for index in range(count):
        activity = ActivityFactory(municipality=municipality, title=f"Tiltak {index:02d}")
        activity.themes.add(theme)
        activity.target_units.add(UnitFactory(municipality=municipality))
        activity.organiser_units.add(cast.school)
        activity.organisers.add(UserFactory())
        for day in (40, 41):
            SessionFactory(activity=activity, starts_at=at(day), ends_at=at(day, 15))


def _count_queries(client, url, query=None):
    client.get(url, query)  # warm up: session, access and content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [TABLE, reverse("competence:activity-export", args=["csv"])],
)
def test_table_query_count_does_not_grow_with_activities(
    client, competence_cast, plan_cast, url, django_assert_max_num_queries
):
    client.force_login(competence_cast["staff"])
    query = {"target": UnitKind.SCHOOL, "area": plan_cast.areas[0].pk}
    _add_activities(competence_cast, 3)
    Activity.objects.filter(title__startswith="Tiltak").update(target_kinds=[UnitKind.SCHOOL])
    for activity in Activity.objects.filter(title__startswith="Tiltak"):
        activity.areas.add(plan_cast.areas[0])
    few = _count_queries(client, url, query)
    _add_activities(competence_cast, 12)
    Activity.objects.filter(title__startswith="Tiltak").update(target_kinds=[UnitKind.SCHOOL])
    for activity in Activity.objects.filter(title__startswith="Tiltak"):
        activity.areas.add(plan_cast.areas[0])
    with django_assert_max_num_queries(few):
        response = client.get(url, query)
    assert response.status_code == 200
    if url == TABLE:
        assert len(response.context["rows"]) == 15


# --- The PDF entry point ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/evil.css",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "https://static.invalid/static/../config/settings.py",
        "https://static.invalid/static/reports/pdf/missing.css",
        "https://static.invalid/media/upload.png",
    ],
)
def test_pdf_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(ValueError, match="statiske filer"):
        StaticFilesOnly().fetch(url)


def test_pdf_fetcher_serves_static_files():
    response = StaticFilesOnly().fetch("https://static.invalid/static/documents/pdf/base.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    response.close()


def test_render_pdf_refuses_a_missing_stylesheet():
    with pytest.raises(FileNotFoundError):
        render_pdf(
            "competence/pdf/activity_table.html",
            {"rows": [], "title": "x"},
            stylesheet="reports/pdf/nope.css",
        )


def test_render_pdf_is_tagged_in_norwegian(pdf_text):
    data = render_pdf(
        "competence/pdf/activity_table.html",
        {"rows": [], "title": "Tom plan", "school_year": "2026/27"},
    )
    assert data.startswith(b"%PDF-1.7")
    # The catalogue sits in a compressed object stream.
    objects = b"".join(
        zlib.decompress(match.group(1))
        for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL)
    )
    assert b"/Lang (nb)" in objects
    assert b"/StructTreeRoot" in objects
    assert b"pdfuaid:part" in objects or b"pdfuaid" in objects
    assert "Ingen tiltak passer med utvalget." in pdf_text(data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_private_and_never_stored(client, table, fmt):
    client.force_login(table["cast"]["staff"])
    response = client.get(export_url(fmt))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
