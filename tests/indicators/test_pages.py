"""The indicator pages: the list by development area and source, an indicator's chart with
its data table, unit breakdown, targets and commentary, the export, and who may change
what. Observations are made directly with the ORM, as an import leaves them."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Commentary, Indicator, ObservationStatus, PlaceLevel, Target
from indicators.selectors.figures import MUNICIPALITY, series
from tests.factories import DevelopmentAreaFactory
from tests.indicators.factories_pages import (
    BatchFactory,
    IndicatorFactory,
    PlaceFactory,
    SourceFactory,
    country,
    observe,
    observe_many,
    solvik,
)

SUPPRESSED = ObservationStatus.SUPPRESSED


def cells(html: str, row_label: str, table_class: str = "indicator-data") -> list[str]:
    """The texts of the data cells in the row headed ``row_label`` of the table."""
    table = re.search(rf'<table class="[^"]*{table_class}[^"]*">(.*?)</table>', html, re.S)
    assert table, f"no table {table_class}"
    row = re.search(rf'<th scope="row">{re.escape(row_label)}</th>(.*?)</tr>', table.group(1), re.S)
    assert row, f"no row {row_label}"
    return [text.strip() for text in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def columns(html: str, table_class: str = "indicator-data") -> list[str]:
    table = re.search(rf'<table class="[^"]*{table_class}[^"]*">(.*?)</table>', html, re.S)
    head = re.search(r"<thead>(.*?)</thead>", table.group(1), re.S).group(1)
    return [t.strip() for t in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head, re.S)][1:]


def series_group(svg: str, label: str) -> str:
    found = re.search(rf'<g class="series" data-series="{re.escape(label)}">(.*?)</g>', svg, re.S)
    assert found, f"no series {label}"
    return found.group(1)


@pytest.fixture
def mobbing(plan_cast):
    """Solvik (9901, earlier 9801) against the country, its county and a KOSTRA group,
    with a suppressed year, a girls' subgroup, a school's own figures, targets and the
    sector leader's commentary — and Nabovik's target and commentary beside them."""
    cast = plan_cast.cast
    municipality = cast.municipality
    municipality.historic_numbers = ["9801"]
    municipality.save()
    current = solvik()
    old = PlaceFactory(level=PlaceLevel.MUNICIPALITY, code="9801", name="Gamle Solvik")
    old.successor = current
    old.save()
    land = country()
    county = PlaceFactory(level=PlaceLevel.COUNTY, code="99", name="Solvik fylke")
    kostra = PlaceFactory(level=PlaceLevel.KOSTRA_GROUP, code="EKG99", name="KOSTRA-gruppe 99")
    school = PlaceFactory(level=PlaceLevel.UNIT, code="974760673", name="Solvik barneskole")
    school.unit = cast.school
    school.save()
    indicator = IndicatorFactory(
        name="Mobbing", code="mobbing", higher_is_better=False, description="Andel elever."
    )
    indicator.areas.add(plan_cast.areas[0])
    batch = BatchFactory()
    observe_many(indicator, old, {2020: "7.8", 2021: "7.1"}, batch=batch)
    observe(indicator, current, 2022, None, status=SUPPRESSED, symbol=":", batch=batch)
    observe_many(indicator, current, {2023: "6.4", 2024: "5.2"}, batch=batch)
    observe(indicator, current, 2024, "4.8", subgroup="kjønn=Jenter", batch=batch)
    observe_many(
        indicator,
        land,
        {2020: "6.5", 2021: "6.6", 2022: "6.9", 2023: "7.0", 2024: "7.3"},
        batch=batch,
    )
    observe(indicator, county, 2024, "6.9", batch=batch)
    observe(indicator, kostra, 2024, "6.0", batch=batch)
    observe(indicator, school, 2023, "4.1", batch=batch)
    observe(indicator, school, 2024, None, status=SUPPRESSED, symbol="*", batch=batch)
    Target.objects.create(indicator=indicator, municipality=municipality, year=2023, value="6.0")
    Target.objects.create(indicator=indicator, municipality=municipality, year=2024, value="5.0")
    Target.objects.create(
        indicator=indicator, municipality=cast.other_municipality, year=2024, value="1.5"
    )
    Commentary.objects.create(
        indicator=indicator, municipality=municipality, text="Vi følger mobbingen tett."
    )
    Commentary.objects.create(
        indicator=indicator,
        municipality=cast.other_municipality,
        text="Naboviks egen kommentar.",
    )
    return indicator


def detail(client, user, indicator, **params):
    client.force_login(user)
    response = client.get(reverse("indicators:indicator-detail", args=[indicator.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


# --- The detail page ----------------------------------------------------------------------


def test_detail_chart_has_a_title_a_text_alternative_and_a_data_table(client, cast, mobbing):
    html = detail(client, cast["staff"], mobbing)
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img" id="indicator-chart"' in html
    assert '<title id="indicator-chart-title">Mobbing</title>' in html
    desc = re.search(r'<desc id="indicator-chart-desc">(.*?)</desc>', html, re.S).group(1)
    assert "Tallene står i tabellen under diagrammet." in desc
    assert "Solvik kommune, 2022: skjult av personvernhensyn (:)" in desc
    assert re.search(r"<figure[^>]*>\s*<svg", html)
    assert "<figcaption" in html
    assert "<caption>Mobbing (Alle) per periode. Kilde: Utdanningsdirektoratet.</caption>" in html
    assert columns(html) == ["2020", "2021", "2022", "2023", "2024"]
    assert cells(html, "Solvik kommune") == [
        "7,8",
        "7,1",
        "skjult av personvernhensyn (:)",
        "6,4",
        "5,2",
    ]
    assert cells(html, "Hele landet") == ["6,5", "6,6", "6,9", "7,0", "7,3"]
    assert cells(html, "Solvik fylke") == ["–", "–", "–", "–", "6,9"]
    assert cells(html, "KOSTRA-gruppe 99") == ["–", "–", "–", "–", "6,0"]
    assert cells(html, "Mål") == ["–", "–", "–", "6,0", "5,0"]
    # The source, the period and the national figure beside the latest value.
    assert "Siste tall for Solvik kommune: <strong>5,2</strong> (2024)." in html
    assert "Hele landet: 7,3." in html


def test_series_joins_the_old_municipality_number_into_one_line(client, cast):
    municipality = cast.municipality
    municipality.historic_numbers = ["9801"]
    municipality.save()
    current = solvik()
    old = PlaceFactory(level=PlaceLevel.MUNICIPALITY, code="9801", name="Gamle Solvik")
    older = PlaceFactory(level=PlaceLevel.MUNICIPALITY, code="9701", name="Eldste Solvik")
    older.successor = old
    older.save()
    indicator = IndicatorFactory(name="Trivsel")
    observe(indicator, older, 2020, "4.0")
    observe_many(indicator, old, {2021: "4.1", 2022: "4.2"})
    # Where both numbers give a year, the current number's figure wins.
    observe(indicator, old, 2023, "9.9")
    observe(indicator, current, 2023, "4.3")
    data = series(indicator, municipality)
    own = data.line(MUNICIPALITY).for_subgroup("")
    assert [(p.period_label, p.value) for p in own] == [
        ("2020", Decimal("4.0000")),
        ("2021", Decimal("4.1000")),
        ("2022", Decimal("4.2000")),
        ("2023", Decimal("4.3000")),
    ]
    # One unbroken line in the chart, with a point for each year.
    html = detail(client, cast["staff"], indicator)
    group = series_group(html, "Solvik kommune")
    polylines = re.findall(r'<polyline points="([^"]+)"', group)
    assert len(polylines) == 1
    assert len(polylines[0].split()) == 4
    assert re.findall(r'class="point" data-x="(\d+)"', group) == ["2020", "2021", "2022", "2023"]


def test_suppressed_point_is_marked_not_drawn_as_a_value(client, cast, mobbing):
    html = detail(client, cast["staff"], mobbing)
    own = series_group(html, "Solvik kommune")
    assert re.findall(r'class="point" data-x="(\d+)"', own) == ["2020", "2021", "2023", "2024"]
    # A gap: two runs of line, 2020–2021 and 2023–2024, none through 2022.
    assert len(re.findall(r"<polyline", own)) == 2
    marker = re.search(
        r'<circle class="withheld-point" data-x="2022" data-series="Solvik kommune" '
        r'data-status="skjult"[^>]*fill="#ffffff"[^>]*><title>([^<]+)</title>',
        html,
    )
    assert marker
    assert marker.group(1) == "Solvik kommune, 2022: skjult av personvernhensyn (:)"
    assert "Hule markører nederst i diagrammet viser perioder der tallet er skjult" in html


def test_target_is_drawn_as_its_own_line(client, cast, mobbing):
    html = detail(client, cast["staff"], mobbing)
    target = series_group(html, "Mål")
    assert len(re.findall(r"<polyline", target)) == 1
    assert re.findall(r'class="point" data-x="(\d+)" data-value="([\d.]+)"', target) == [
        ("2023", "6.0000"),
        ("2024", "5.0000"),
    ]
    assert "Linjen «Mål» er kommunens målverdi." in html


def test_subgroup_selector_shows_that_subgroups_figures(client, cast, mobbing):
    html = detail(client, cast["staff"], mobbing, subgroup="kjønn=Jenter")
    assert '<option value="kjønn=Jenter" selected>Jenter</option>' in html
    assert columns(html) == ["2024"]
    assert cells(html, "Solvik kommune") == ["4,8"]
    # No target for the girls alone, so no target line.
    assert 'data-series="Mål"' not in html


def test_page_picks_another_kostra_group_when_asked(client, cast, mobbing):
    other = PlaceFactory(level=PlaceLevel.KOSTRA_GROUP, code="EKG98", name="KOSTRA-gruppe 98")
    observe(mobbing, other, 2024, "8.1")
    # The first group by code by default, one line at a time.
    html = detail(client, cast["staff"], mobbing)
    assert cells(html, "KOSTRA-gruppe 98")[-1] == "8,1"
    assert 'data-series="KOSTRA-gruppe 99"' not in html
    html = detail(client, cast["staff"], mobbing, kostra="EKG99")
    assert '<option value="EKG99" selected>KOSTRA-gruppe 99</option>' in html
    assert cells(html, "KOSTRA-gruppe 99")[-1] == "6,0"
    assert 'data-series="KOSTRA-gruppe 98"' not in html


def test_unit_breakdown_lists_the_municipalitys_schools(client, cast, mobbing):
    html = detail(client, cast["staff"], mobbing)
    assert columns(html, "indicator-units") == ["2023", "2024"]
    assert cells(html, "Solvik barneskole", "indicator-units") == [
        "4,1",
        "skjult av personvernhensyn (*)",
    ]


def test_findings_targets_and_commentary_are_the_municipalitys_own(client, cast, mobbing):
    html = detail(client, cast["elected_official"], mobbing)
    assert "Vi følger mobbingen tett." in html
    assert "Naboviks egen kommentar." not in html
    assert "1,5" not in html
    assert cells(html, "2024", "indicator-targets") == [
        "Hele kommunen",
        "Alle",
        "5,0",
        "Fast verdi",
        "Administrativt mål",
    ]
    assert "Målet for 2024 er ikke nådd: 5,2 prosent mot målet 5,0 prosent." in html
    assert (
        "Utviklingen går i riktig retning: fra 7,1 prosent i 2021 til 5,2 prosent i 2024." in html
    )
    # Elected officials read; they get no links to change anything.
    assert reverse("indicators:indicator-targets", args=[mobbing.pk]) not in html
    assert reverse("indicators:indicator-commentary", args=[mobbing.pk]) not in html

    html = detail(client, cast["other_municipality"], mobbing)
    assert "Naboviks egen kommentar." in html
    assert "Vi følger mobbingen tett." not in html
    assert cells(html, "2024", "indicator-targets") == [
        "Hele kommunen",
        "Alle",
        "1,5",
        "Fast verdi",
        "Administrativt mål",
    ]
    assert "Siste tall for Nabovik kommune" not in html  # Nabovik has no figures


def test_sector_leader_sees_links_to_edit_targets_and_commentary(client, cast, mobbing):
    html = detail(client, cast["sector_leader"], mobbing)
    assert reverse("indicators:indicator-targets", args=[mobbing.pk]) in html
    assert reverse("indicators:indicator-commentary", args=[mobbing.pk]) in html
    assert reverse("indicators:indicator-edit", args=[mobbing.pk]) in html


def test_detail_needs_login_and_membership(client, cast, mobbing):
    url = reverse("indicators:indicator-detail", args=[mobbing.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    client.force_login(cast["no_membership"])
    assert client.get(url).status_code == 403
    client.force_login(cast["staff"])
    assert client.get(reverse("indicators:indicator-detail", args=[99999])).status_code == 404


# --- The list -----------------------------------------------------------------------------


def test_list_groups_by_area_and_source_with_latest_values(client, plan_cast, mobbing):
    cast = plan_cast.cast
    other = IndicatorFactory(
        name="Kulturskoleandel", source=SourceFactory(code="ssb", name="Statistisk sentralbyrå")
    )
    observe(other, solvik(), 2024, "18.0")
    observe(other, country(), 2024, "12.8")
    client.force_login(cast["staff"])
    html = client.get(reverse("indicators:indicator-list")).content.decode()
    area_section = html.split('id="omrade-', 1)[1]
    assert area_section.startswith(f'{plan_cast.areas[0].pk}">Inkluderende miljø</h2>')
    inclusive, loose = area_section.split('id="uten-omrade"')
    assert "Mobbing" in inclusive
    assert "Kulturskoleandel" not in inclusive
    assert "Kulturskoleandel" in loose
    row = re.search(r">Mobbing</a>.*?</tr>", html, re.S).group(0)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == [
        "Utdanningsdirektoratet",
        "2024",
        "5,2",
        "7,3",
        # The KOSTRA group's figure for the same period, named by its code.
        '6,0 <span class="text-body-secondary">(<abbr title="KOSTRA-gruppe 99">EKG99</abbr>)'
        "</span>",
    ]

    html = client.get(reverse("indicators:indicator-list"), {"group": "kilde"}).content.decode()
    assert '<h2 class="h4" id="kilde-ssb">Statistisk sentralbyrå</h2>' in html
    assert '<h2 class="h4" id="kilde-udir">Utdanningsdirektoratet</h2>' in html

    html = client.get(reverse("indicators:indicator-list"), {"q": "kultur"}).content.decode()
    assert "Kulturskoleandel" in html
    assert ">Mobbing<" not in html
    assert "1 indikator" in html


def test_list_follows_an_area_into_a_new_revision_by_key(client, plan_cast):
    cast = plan_cast.cast
    area = plan_cast.areas[1]
    old_plan = plan_cast.quality_plan
    old_plan.adopted_on = old_plan.adopted_on.replace(year=old_plan.adopted_on.year - 4)
    old_plan.period_start -= 4
    old_plan.save()
    new_plan = type(old_plan).objects.create(
        municipality=cast.municipality,
        title="Ny revisjon",
        period_start=old_plan.period_start + 4,
        period_end=old_plan.period_end + 4,
        revision=2,
        adopted_on=old_plan.adopted_on.replace(year=old_plan.adopted_on.year + 4),
        council_case="29/1",
    )
    DevelopmentAreaFactory(plan=new_plan, name="Tidlig innsats (ny)", key=area.key, goal="Mål")
    indicator = IndicatorFactory(name="Lesing")
    indicator.areas.add(area)  # linked to the old revision's area
    client.force_login(cast["staff"])
    html = client.get(reverse("indicators:indicator-list")).content.decode()
    section = html.split("Tidlig innsats (ny)</h2>", 1)[1]
    assert ">Lesing</a>" in section.split("</section>", 1)[0]


# --- Query counts -------------------------------------------------------------------------


def _fill(indicators, places, years):
    batch = BatchFactory()
    for indicator in indicators:
        for place in places:
            for year in years:
                observe(indicator, place, year, f"{year % 50}.5", batch=batch)


def test_list_and_detail_queries_do_not_grow_with_observations(
    client, plan_cast, django_assert_max_num_queries
):
    cast = plan_cast.cast
    places = [solvik(), country(), PlaceFactory(level=PlaceLevel.COUNTY, code="99")]
    school = PlaceFactory(level=PlaceLevel.UNIT, code="skole-1")
    school.unit = cast.school
    school.save()
    places.append(school)
    indicators = [IndicatorFactory(name=f"Ind {n}") for n in range(2)]
    for indicator in indicators:
        indicator.areas.add(plan_cast.areas[0])
    _fill(indicators, places, range(2000, 2003))  # 3 years × 4 places = 12 per indicator
    client.force_login(cast["sector_leader"])
    urls = [
        reverse("indicators:indicator-list"),
        reverse("indicators:indicator-detail", args=[indicators[0].pk]),
        reverse("indicators:findings"),
    ]
    counts = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    _fill(indicators, places, range(2003, 2028))  # 28 years × 4 places = 112 per indicator
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert "27,5" in response.content.decode()  # the 2027 figure made it onto the page


# --- Export -------------------------------------------------------------------------------


@pytest.fixture
def export_indicator(cast):
    indicator = IndicatorFactory(name="Eksport", code="eks/1", decimals=1)
    hostile = PlaceFactory(level=PlaceLevel.MUNICIPALITY, code="9903", name="=HYPERLINK(1)")
    observe(indicator, country(), 2024, "12.3400")
    observe(indicator, hostile, 2024, "100", subgroup="@sum")
    observe(indicator, solvik(), 2024, None, status=SUPPRESSED, symbol=":")
    observe(indicator, solvik(), 2023, "0", symbol="-")
    return indicator


def test_export_csv_has_bom_semicolons_exact_values_and_escaping(client, cast, export_indicator):
    client.force_login(cast["staff"])
    response = client.get(reverse("indicators:indicator-export", args=[export_indicator.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="udir-eks1.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "kilde;indikatorkode;indikator;stedsnivå;stedskode;sted;periode;undergruppe;verdi;"
        "status;enhet"
    )
    # The symbol stands in the value column, as the template reads it back.
    assert lines[1:] == [
        "udir;eks/1;Eksport;kommune;9901;Solvik;2023;;-;verdi;prosent",
        "udir;eks/1;Eksport;kommune;9901;Solvik;2024;;:;skjult;prosent",
        "udir;eks/1;Eksport;kommune;9903;'=HYPERLINK(1);2024;'@sum;100,0;verdi;prosent",
        "udir;eks/1;Eksport;land;0;Hele landet;2024;;12,34;verdi;prosent",
        "",
    ]


def test_export_xlsx_keeps_numbers_and_escapes_formulas(client, cast, export_indicator):
    client.force_login(cast["staff"])
    response = client.get(
        reverse("indicators:indicator-export", args=[export_indicator.pk, "xlsx"])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["kilde", "indikatorkode", "indikator"]
    assert rows[3] == [
        "udir",
        "eks/1",
        "Eksport",
        "kommune",
        "9903",
        "'=HYPERLINK(1)",
        "2024",
        "'@sum",
        100,
        "verdi",
        "prosent",
    ]
    assert rows[4][5] == "Hele landet"
    assert rows[4][8] == pytest.approx(12.34)
    assert rows[2][8:10] == [":", "skjult"]
    assert rows[1][8:10] == ["-", "verdi"]


def test_export_of_an_unknown_format_is_404_and_anonymous_is_sent_to_login(
    client, cast, export_indicator
):
    url = reverse("indicators:indicator-export", args=[export_indicator.pk, "csv"])
    assert client.get(url).status_code == 302
    client.force_login(cast["staff"])
    bad = reverse("indicators:indicator-export", args=[export_indicator.pk, "pdf"])
    assert client.get(bad).status_code == 404


# --- Targets, commentary, settings --------------------------------------------------------


def _target_post(rows, initial=0):
    data = {
        "targets-TOTAL_FORMS": str(len(rows)),
        "targets-INITIAL_FORMS": str(initial),
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"targets-{index}-{key}"] = value
    return data


def test_staff_may_not_set_targets_but_the_sector_leader_may(client, cast, mobbing):
    url = reverse("indicators:indicator-targets", args=[mobbing.pk])
    client.force_login(cast["staff"])
    assert client.get(url).status_code == 403
    post = _target_post([{"year": "2026", "value": "4,5"}])
    assert client.post(url, post).status_code == 403
    assert not Target.objects.filter(year=2026).exists()

    client.force_login(cast["sector_leader"])
    page = client.get(url).content.decode()
    assert 'value="2024"' in page
    assert 'value="5,0"' in page
    rows = [
        {"year": "2023", "value": "6,0"},
        {"year": "2024", "value": "5,0", "DELETE": "on"},
        {"year": "2026", "value": "4,5", "unit": str(cast.school.pk)},
        {"year": "", "value": ""},
    ]
    response = client.post(url, _target_post(rows, initial=2))
    assert response.status_code == 302
    solvik_targets = Target.objects.filter(municipality=cast.municipality).order_by("year")
    assert [(t.year, t.value, t.unit_id) for t in solvik_targets] == [
        (2023, Decimal("6.0000"), None),
        (2026, Decimal("4.5000"), cast.school.pk),
    ]
    # Nabovik's target is untouched.
    assert Target.objects.get(municipality=cast.other_municipality).value == Decimal("1.5")


def test_bad_targets_give_norwegian_errors_and_write_nothing(client, cast, mobbing):
    url = reverse("indicators:indicator-targets", args=[mobbing.pk])
    client.force_login(cast["sector_leader"])
    before = list(Target.objects.values_list("pk", "year", "value"))
    response = client.post(url, _target_post([{"year": "20x6", "value": "fem"}]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Skriv året med fire sifre, for eksempel 2026." in html
    assert "Skriv målverdien som et tall, for eksempel 12,5." in html
    response = client.post(
        url, _target_post([{"year": "2026", "value": "4"}, {"year": "2026", "value": "5"}])
    )
    assert "Det er to mål for 2026 for samme enhet og undergruppe." in response.content.decode()
    response = client.post(
        url, _target_post([{"year": "2026", "value": "4", "unit": str(cast.other_unit.pk)}])
    )
    assert "Velg en enhet i kommunen." in response.content.decode()
    assert list(Target.objects.values_list("pk", "year", "value")) == before


def test_commentary_is_written_by_the_sector_leader_only(client, cast, mobbing):
    url = reverse("indicators:indicator-commentary", args=[mobbing.pk])
    client.force_login(cast["staff"])
    assert client.post(url, {"text": "Ansatt skriver"}).status_code == 403
    client.force_login(cast["other_municipality"])
    assert client.post(url, {"text": "Nabo skriver"}).status_code == 403
    client.force_login(cast["sector_leader"])
    response = client.post(url, {"text": "  "})
    assert "Skriv en kommentar, eller slett den som finnes." in response.content.decode()
    assert client.post(url, {"text": "Ny lesning av tallene."}).status_code == 302
    assert Commentary.objects.get(municipality=cast.municipality).text == "Ny lesning av tallene."
    assert Commentary.objects.get(municipality=cast.other_municipality).text == (
        "Naboviks egen kommentar."
    )
    assert client.post(url, {"delete": "1"}).status_code == 302
    assert not Commentary.objects.filter(municipality=cast.municipality).exists()


def test_indicator_settings_and_plan_links(client, plan_cast, mobbing):
    cast = plan_cast.cast
    # Solvik's own indicator: its sector leader changes the settings too.
    mobbing.municipality = cast.municipality
    mobbing.save(update_fields=["municipality"])
    url = reverse("indicators:indicator-edit", args=[mobbing.pk])
    client.force_login(cast["staff"])
    assert client.get(url).status_code == 403
    # Nabovik's link to its own plan must survive Solvik's edit.
    nabovik_area = DevelopmentAreaFactory(
        plan=plan_cast.other_plan.quality_plan, name="Naboviks område 2"
    )
    mobbing.areas.add(nabovik_area)
    client.force_login(cast["sector_leader"])
    form = client.get(url).content.decode()
    assert re.search(rf'value="{plan_cast.areas[0].pk}"[^>]*checked', form)
    response = client.post(
        url,
        {
            "higher_is_better": "true",
            "unit_of_measure": "andel",
            "decimals": "2",
            "service_field": "skole_sfo",
            "description": "Ny beskrivelse",
            "published": "on",
            "areas": [str(plan_cast.areas[1].pk)],
            "components": [str(plan_cast.components[2].pk)],
        },
    )
    assert response.status_code == 302
    mobbing.refresh_from_db()
    assert (mobbing.higher_is_better, mobbing.unit_of_measure, mobbing.decimals) == (
        True,
        "andel",
        2,
    )
    assert set(mobbing.areas.all()) == {plan_cast.areas[1], nabovik_area}
    assert list(mobbing.components.all()) == [plan_cast.components[2]]

    response = client.post(url, {"higher_is_better": "unknown", "decimals": "9"})
    assert "Høyst fire desimaler." in response.content.decode()
    mobbing.refresh_from_db()
    assert mobbing.higher_is_better is True


def test_another_municipalitys_area_cannot_be_linked(client, plan_cast, mobbing):
    cast = plan_cast.cast
    nabovik_area = DevelopmentAreaFactory(plan=plan_cast.other_plan.quality_plan)
    client.force_login(cast["sector_leader"])
    response = client.post(
        reverse("indicators:indicator-edit", args=[mobbing.pk]),
        {"higher_is_better": "false", "decimals": "1", "areas": [str(nabovik_area.pk)]},
    )
    assert response.status_code == 200
    assert not Indicator.objects.filter(areas=nabovik_area).exists()


# --- Demo ---------------------------------------------------------------------------------


INDICATOR_KEYS = (
    "indicator_sources",
    "indicators",
    "indicator_observations",
    "indicator_targets",
    "indicator_commentaries",
)


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_demo_loads_twice_with_the_same_counts_and_every_kind_of_finding(db, client):
    from django.contrib.auth import get_user_model

    from demo.services.loading import demo_load
    from indicators.findings import findings_overview

    land = country()
    shared = IndicatorFactory(name="Delt statistikk")
    observe(shared, land, 2024, "12.0")
    first = demo_load(reports=False)
    second = demo_load(reports=False)
    assert {k: first[k] for k in INDICATOR_KEYS} == {k: second[k] for k in INDICATOR_KEYS}
    assert second["indicators"] == 28
    # Six periods each: Solvik and the country for all, a county for 12, a KOSTRA group
    # for 8, and 15 series of the two schools.
    assert second["indicator_observations"] == 28 * 6 * 2 + 12 * 6 + 8 * 6 + 15 * 6
    assert second["indicator_targets"] == 25
    # Every kind of target, one adopted by the council (issue 20).
    assert set(Target.objects.values_list("kind", flat=True)) == {
        "absolute",
        "baseline",
        "comparison",
    }
    assert Target.objects.filter(adoption="council", council_case="PS 25/31").exists()
    assert shared.observations.get().value == Decimal("12.0")  # shared figures untouched

    leader = get_user_model().objects.get(username="sektorleder")
    overview = findings_overview(leader)
    positive = " ".join(t for r in overview.positive for t in r.positive)
    attention = " ".join(t for r in overview.attention for t in r.attention)
    assert "ligger bedre an enn landet" in positive
    assert "Utviklingen går i riktig retning" in positive
    assert "er nådd" in positive
    assert "ligger dårligere an enn landet" in attention
    assert "Utviklingen går i feil retning" in attention
    assert "er ikke nådd" in attention
    assert "Siste verdi er" in attention
    assert "er allerede nådd" in positive
    assert [i.name for i in overview.unjudged] == [
        "Barn 1–5 år i barnehage (demo)",
        "Elever med spesialundervisning (demo)",
    ]

    mobbing = Indicator.objects.get(code="demo-mobbing")
    client.force_login(leader)
    html = client.get(reverse("indicators:indicator-detail", args=[mobbing.pk])).content.decode()
    # Six school years in one line across the 2024 number change, a suppressed figure
    # for the lower secondary school and the county beside them.
    own = cells(html, "Solvik kommune")
    assert own == ["7,8", "7,1", "6,5", "6,9", "5,8", "5,2"]
    assert "skjult av personvernhensyn (*)" in cells(html, "Solvik ungdomsskole", "indicator-units")
    assert cells(html, "Solvik fylke (demo)")[-1] == "6,9"
    # One target, for the last school year: drawn flat and named by its school year.
    last = own_label = columns(html)[-1]
    assert re.fullmatch(r"\d{4}/\d\d", own_label)
    assert f'data-series="Mål for {last}"' in html
    assert f"Målet for {last} er ikke nådd: 5,2 prosent mot målet 5,0 prosent." in html
    # The targets table names the year as the chart and the findings do.
    assert cells(html, last, "indicator-targets")[2] == "5,0"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_private_and_never_stored(client, cast, export_indicator, fmt):
    client.force_login(cast["staff"])
    response = client.get(reverse("indicators:indicator-export", args=[export_indicator.pk, fmt]))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
