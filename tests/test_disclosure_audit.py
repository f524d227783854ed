"""The attacker's audit: everything a role can open — the BTI statistics page, every
published status report, the competence evaluation page and its CSV for every school
year, the fortellinger list under every one-way filter — read as text, turned into the
linear system the published figures imply, and every withheld figure's range asked of an
integer programme. No withheld figure may be pinned to fewer than
``SUPPRESSION_THRESHOLD`` possible values, and no count of fortellinger may count more
than the records listed beside it. On the demo, for every role, and on random data
(hypothesis)."""

from __future__ import annotations

import csv
import io
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from btitracker.models import AgeBand, StatEvent
from competence.selectors.reports import (
    EvaluationRow,
    published_evaluation,
    school_years_with_activities,
)
from plans.access import access_for
from plans.models import InputGroup, InputSetting, ParticipationInput, QualityPlan, Unit, UnitKind
from plans.schoolyear import SchoolYear
from reports.bti import bti_section
from reports.models import ReportState, StatusReport
from reports.snapshot import build_snapshot
from tests.disclosure_attack import Attacker, tables

THRESHOLD = 5
LEVELS = [0, 1, 2, 3]
KINDS = [kind for kind, _label in UnitKind.choices]
BANDS = [band for band, _label in AgeBand.choices]
REPORT_LEVEL_ROWS = {
    "Nye undringer (nivå 0)": 0,
    "Nye stafettlogger på nivå 1": 1,
    "Nye stafettlogger på nivå 2": 2,
    "Nye stafettlogger på nivå 3": 3,
}


# --- BTI: the attacker's model of the events ---------------------------------------------


class BtiModel:
    """One unknown count per school year × level × unit kind × age band (``full``), or —
    equivalent for one-way breakdowns, and much quicker to solve — one unknown per
    breakdown cell with the breakdowns of a school year summing alike (any one-way
    counts with equal sums are the margins of some cross-table)."""

    def __init__(self, attacker: Attacker, *, full: bool = True):
        self.attacker = attacker
        self.full = full
        self.atoms: dict[int, dict[tuple, int]] = {}

    def year(self, school_year: int) -> dict[tuple, int]:
        if school_year in self.atoms:
            return self.atoms[school_year]
        if self.full:
            keys = list(itertools.product(LEVELS, KINDS, BANDS))
        else:
            keys = [(0, v) for v in LEVELS] + [(1, v) for v in KINDS] + [(2, v) for v in BANDS]
        indexes = self.attacker.new_variables(len(keys))
        self.atoms[school_year] = atoms = dict(zip(keys, indexes, strict=True))
        if not self.full:
            for other in (1, 2):
                coeffs = {i: 1 for key, i in atoms.items() if key[0] == 0}
                coeffs |= {i: -1 for key, i in atoms.items() if key[0] == other}
                self.attacker.relate(coeffs, 0, 0)
        return atoms

    def coeffs(self, school_year: int, position: int | None, value) -> dict[int, int]:
        atoms = self.year(school_year)
        if not self.full:
            if position is None:
                return {i: 1 for key, i in atoms.items() if key[0] == 0}
            return {atoms[(position, value)]: 1}
        return {
            index: 1 for key, index in atoms.items() if position is None or key[position] == value
        }

    def read_page(self, html: str) -> None:
        columns = {str(label): (1, kind) for kind, label in UnitKind.choices}
        columns |= {str(label): (2, band) for band, label in AgeBand.choices}
        columns |= {f"Nivå {level}": (0, level) for level in LEVELS}
        columns["Sum"] = (None, None)
        found = 0
        for table in tables(html):
            if "bti-statistics" not in table.classes:
                continue
            found += 1
            header = table.header[1:]
            for row in table.rows:
                school_year = SchoolYear.parse(row[0]).start_year
                # A group whose total is withheld has «:» in every cell: none bounds. A
                # «<5» beside them would tell the «:» cells are 5 or more.
                withheld = row[1 + header.index("Sum")] == ":" and "<5" not in row
                for label, text in zip(header, row[1:], strict=True):
                    position, value = columns[label]
                    self.attacker.read(
                        f"BTI {row[0]} {label}",
                        self.coeffs(school_year, position, value),
                        text,
                        sum_cell=position is None or withheld,
                    )
        assert found == 3, "the statistics page has three tables"

    def read_report(self, html: str, school_year: int) -> None:
        (table,) = [t for t in tables(html) if t.caption == "BTI-statistikk"]
        texts = dict(table.rows)
        withheld = texts.get("Sum") == ":" and "<5" not in texts.values()
        for label, text in table.rows:
            level = REPORT_LEVEL_ROWS.get(label)
            self.attacker.read(
                f"rapport {SchoolYear(school_year).label} {label}",
                self.coeffs(school_year, None if level is None else 0, level),
                text,
                sum_cell=level is None or withheld,
            )

    def read_followup(self, html: str, school_year: int) -> None:
        """The coordinator's follow-up (/bti/oppfolging/): per kindergarten and school the
        new concerns and logs, one unknown per unit, the units of a kind summing to the
        kind's cell of the statistics (with the row of events whose unit was not
        recorded). «:» on every unit of a kind says nothing; otherwise «:» beside a
        shown kind cell is 5 or more."""
        found = 0
        for table in tables(html):
            if "followup-units" not in table.classes:
                continue
            found += 1
            kind = next(
                c.removeprefix("followup-kind-")
                for c in table.classes.split()
                if c.startswith("followup-kind-")
            )
            kind_coeffs = self.coeffs(school_year, 1, kind)
            units = [row for row in table.rows if len(row) >= 3 and not row[0].startswith("Sum ")]
            withheld = all(row[-2] == ":" for row in units)
            variables = self.attacker.new_variables(len(units))
            self.attacker.relate(
                {**dict.fromkeys(variables, 1), **{i: -w for i, w in kind_coeffs.items()}}, 0, 0
            )
            for row, index in zip(units, variables, strict=True):
                self.attacker.read(
                    f"oppfølging {SchoolYear(school_year).label} {row[0]}",
                    {index: 1},
                    row[-2],
                    sum_cell=withheld,
                )
            for row in table.rows:
                if row[0].startswith("Sum "):
                    self.attacker.read(
                        f"oppfølging {SchoolYear(school_year).label} {row[0]}",
                        kind_coeffs,
                        row[-2],
                        sum_cell=True,
                    )
        assert found, "the follow-up has a table per kind"


# --- Competence: the attacker's model of the sign-ups ------------------------------------


class CompetenceModel:
    """Per school year and activity: confirmed, attended (at most confirmed) and
    feedback counts."""

    def __init__(self, attacker: Attacker):
        self.attacker = attacker
        self.activities: dict[int, dict[str, dict[str, int]]] = {}
        self.areas: dict[int, dict[str, list[str]]] = {}

    def activity(self, school_year: int, title: str) -> dict[str, int]:
        year = self.activities.setdefault(school_year, {})
        if title not in year:
            confirmed, attended, feedback = self.attacker.new_variables(3)
            self.attacker.relate({attended: 1, confirmed: -1}, -float("inf"), 0)
            year[title] = {"confirmed": confirmed, "attended": attended, "feedback": feedback}
        return year[title]

    def read_row(self, school_year, name, titles, figures: dict[str, str], *, sum_cell):
        for measure, text in figures.items():
            coeffs = {self.activity(school_year, title)[measure]: 1 for title in titles}
            self.attacker.read(f"{name} {measure}", coeffs, text, sum_cell=sum_cell)

    def read_csv(self, content: bytes, school_year: int) -> None:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        header, *body = rows
        assert header[4:6] == ["Påmeldte", "Møtte"]
        assert header[8] == "Antall tilbakemeldinger"
        titles = [row[0] for row in body if row[0] != "Sum"]
        assert len(titles) == len(set(titles)), "activity titles are unique within a year"
        areas: dict[str, list[str]] = {}
        for row in body:
            figures = {"confirmed": row[4], "attended": row[5], "feedback": row[8]}
            if row[0] == "Sum":
                self.read_row(school_year, "sum", titles, figures, sum_cell=True)
                continue
            self.read_row(school_year, row[0], [row[0]], figures, sum_cell=False)
            for area in row[9].split(", ") if row[9] else ["Uten utviklingsområde"]:
                areas.setdefault(area, []).append(row[0])
        self.areas[school_year] = areas

    def read_page(self, html: str, school_year: int) -> None:
        areas = self.areas[school_year]
        for table in tables(html):
            if "evaluation-area-table" in table.classes:
                for row in table.rows:
                    figures = {"confirmed": row[3], "attended": row[4]}
                    self.read_row(school_year, row[0], areas[row[0]], figures, sum_cell=True)
            if "evaluation-table" in table.classes:
                for row in table.rows:
                    figures = {"confirmed": row[3], "attended": row[4]}
                    self.read_row(school_year, row[0], [row[0]], figures, sum_cell=False)

    def read_report(self, html: str, school_year: int) -> None:
        for table in tables(html):
            if "report-competence" not in table.classes:
                continue
            titles = []
            for row in table.rows:
                figures = {"confirmed": row[2], "attended": row[3]}
                if row[0] == "Sum":
                    self.read_row(school_year, "rapport sum", titles, figures, sum_cell=True)
                else:
                    title = row[0].rsplit(" (", 1)[0]
                    titles.append(title)
                    self.read_row(school_year, title, [title], figures, sum_cell=False)


# --- Fortellinger: counts beside the records they count -----------------------------------

LIST_COUNT = re.compile(r'<div id="participation-results"[^>]*>\s*<p>(\d+) innspill</p>')
LIST_CARD = 'class="card participation-card'
REPORT_COUNT = re.compile(r"Rapporten viser (\d+) fortellinger")
REPORT_STORY = 'class="report-story"'


class FortellingerModel:
    """A count of fortellinger is published beside the records it counts: the list's
    «N innspill» above its cards (under every filter), the report's «viser N
    fortellinger» above its quotes — each record one the role may read in full (an
    elected official: consented for publishing). Such a count tells nothing the records
    do not, so it is a *listed* count, not a statistic (docs/privacy.md). A count of
    more records than are listed with it counts records the role cannot open: that is
    an aggregate about people, read as a count on its own, so a shown one below the
    threshold is a breach."""

    def __init__(self, attacker: Attacker):
        self.attacker = attacker
        self.listed = 0

    def read(self, name: str, count: int, records: int) -> None:
        if count == records:
            self.listed += 1
            return
        (unknown,) = self.attacker.new_variables(1)
        self.attacker.read(f"{name} ({records} listed)", {unknown: 1}, str(count), sum_cell=False)

    def read_list(self, client: Client, name: str, query: dict) -> None:
        count, records, page = None, 0, 1
        while True:
            response = client.get(reverse("plans:participation-list"), {**query, "page": page})
            if response.status_code == 403:
                return
            assert response.status_code == 200, name
            html = response.content.decode()
            match = LIST_COUNT.search(html)
            assert match, f"{name}: the list states its count"
            count = int(match.group(1))
            records += html.count(LIST_CARD)
            if f"page={page + 1}" not in html:
                break
            page += 1
        self.read(name, count, records)

    def read_lists(self, client: Client, user) -> None:
        self.read_list(client, "fortellinger", {})
        for group, _label in InputGroup.choices:
            self.read_list(client, f"fortellinger {group}", {"group": group})
        for setting, _label in InputSetting.choices:
            self.read_list(client, f"fortellinger {setting}", {"setting": setting})
        for unit in Unit.objects.visible_to(user).order_by("pk"):
            self.read_list(client, f"fortellinger {unit.name}", {"unit": unit.pk})

    def read_report(self, html: str, school_year: int) -> None:
        match = REPORT_COUNT.search(html)
        assert match, "the report states how many fortellinger it shows"
        name = f"rapport {SchoolYear(school_year).label} fortellinger"
        self.read(name, int(match.group(1)), html.count(REPORT_STORY))


# --- What a role can open ----------------------------------------------------------------


def attack_as(
    user, published: list[StatusReport], *, full: bool = True
) -> tuple[Attacker, FortellingerModel]:
    """Everything ``user`` may open, read into one attacker."""
    client = Client()
    client.force_login(user)
    attacker = Attacker(THRESHOLD)
    bti, competence = BtiModel(attacker, full=full), CompetenceModel(attacker)
    stories = FortellingerModel(attacker)
    stories.read_lists(client, user)
    response = client.get(reverse("bti:statistics"))
    if response.status_code == 200:
        bti.read_page(response.content.decode())
    read_followup_pages(client, bti, user)
    for year in school_years_with_activities(user):
        page = client.get(reverse("competence:evaluation"), {"year": year})
        assert page.status_code == 200
        export = client.get(reverse("competence:evaluation-export", args=["csv"]), {"year": year})
        if export.status_code == 200:
            competence.read_csv(export.content, year)
        else:
            competence.read_csv(_csv_from_page(page.content.decode()), year)
        competence.read_page(page.content.decode(), year)
    for report in published:
        response = client.get(reverse("reports:report-read", args=[report.pk]))
        if response.status_code != 200:
            continue
        html = response.content.decode()
        bti.read_report(html, report.year)
        competence.read_report(html, report.year)
        stories.read_report(html, report.year)
    return attacker, stories


def read_followup_pages(client: Client, bti: BtiModel, user) -> None:
    """The follow-up page for every school year of the statistics, when the user may."""
    municipality_id = access_for(user).municipality_id
    years = set(
        StatEvent.objects.filter(municipality_id=municipality_id).values_list(
            "school_year", flat=True
        )
    ) | {SchoolYear.current().start_year}
    for year in sorted(years):
        response = client.get(reverse("bti:followup"), {"year": year})
        if response.status_code != 200:
            return
        bti.read_followup(response.content.decode(), year)


def _csv_from_page(html: str) -> bytes:
    """A member who may not export reads the same figures off the page's table."""
    (table,) = [t for t in tables(html) if "evaluation-table" in t.classes]
    lines = [
        "Tiltak;Læringsform;Samlinger;Samlinger gjennomført;Påmeldte;Møtte;Oppmøte (%);"
        "Snitt;Antall tilbakemeldinger;Utviklingsområder"
    ]
    for row in table.rows:
        feedback = row[6].split("(")[-1].split(" ")[0] if "svar" in row[6] else row[6]
        feedback = "0" if feedback == "–" else feedback
        areas = "" if row[7] == "–" else row[7]
        lines.append(f"{row[0]};{row[1]};;;{row[3]};{row[4]};;;{feedback};{areas}")
    return "\n".join(lines).encode()


def _publish(plan, leader, year: int) -> StatusReport:
    """A published report as the service leaves it, without rendering the PDF (the read
    page renders from the snapshot, as the PDF does)."""
    report = StatusReport.objects.create(
        municipality=plan.municipality,
        quality_plan=plan,
        year=year,
        state=ReportState.READY,
        ordered_by=leader,
    )
    report.snapshot = build_snapshot(report, leader)
    report.save(update_fields=["snapshot"])
    StatusReport.objects.filter(pk=report.pk).update(
        state=ReportState.PUBLISHED, published_by=leader, published_at=timezone.now()
    )
    report.refresh_from_db()
    return report


# --- The demo ----------------------------------------------------------------------------


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
@pytest.mark.django_db
def test_no_role_can_work_out_a_withheld_figure_on_the_demo(media, settings):
    """The demo with three published status reports side by side (the school years its
    BTI statistics cover), audited for every demo role."""
    from demo.services.loading import demo_load

    settings.SUPPRESSION_THRESHOLD = THRESHOLD
    demo_load(reports=False)
    users = get_user_model().objects
    leader = users.get(username="sektorleder")
    plan = QualityPlan.objects.filter(municipality__number="9901").in_force()
    years = range(SchoolYear.current().start_year - 2, SchoolYear.current().start_year + 1)
    published = [_publish(plan, leader, year) for year in years]
    summary = {}
    for username in (
        "folkevalgt",
        "bti-koordinator",
        "sektorleder",
        "virksomhetsleder",
        "ansatt",
        "dataansvarlig",
    ):
        # The official is the attacker of the issue: every event's full cross-table.
        full = username == "folkevalgt"
        attacker, stories = attack_as(users.get(username=username), published, full=full)
        assert attacker.breaches() == [], username
        summary[username] = (
            len(attacker.shown) + len(attacker.hidden),
            len(attacker.hidden),
            stories.listed,
        )
    # The official sees the BTI grid (three tables) and the reports' BTI sections.
    assert summary["folkevalgt"][1] > 0
    # Every fortellinger count the official sees counts records listed beside it.
    assert summary["folkevalgt"][2] > 0
    print("\nfigures seen / withheld / listed fortellinger counts per role:", summary)


# --- Random data ---------------------------------------------------------------------------


def on_the_database(*, max_examples: int):
    """Hypothesis on the test database (the ``cast`` fixture is kept across examples; each
    example clears what it made), bounded for speed."""
    return hsettings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def read_report_sections(model: BtiModel, user, municipality, years) -> None:
    """The status report's BTI section for each school year, as the report prints it."""
    plan = QualityPlan(municipality=municipality)
    for year in years:
        section = bti_section(user, plan, year)
        html = "<table><caption>BTI-statistikk</caption><thead><tr><th>Hva</th><th>Antall</th>"
        html += "</tr></thead><tbody>"
        for row in [*section["rows"], {"label": "Sum", "count": section["total"]}]:
            html += f"<tr><th>{row['label']}</th><td>{row['count']['text']}</td></tr>"
        model.read_report(html + "</tbody></table>", year)


event_rows = st.lists(
    st.tuples(
        st.integers(0, 1),  # school year offset
        st.sampled_from(LEVELS),
        st.sampled_from(KINDS[:4]),
        st.sampled_from(BANDS[:3]),
        st.integers(1, 9),  # how many
    ),
    max_size=12,
)


@pytest.mark.django_db
@on_the_database(max_examples=15)
@given(rows=event_rows)
def test_no_withheld_bti_figure_can_be_worked_out_on_random_data(cast, settings, rows):
    """Random events over two school years: the statistics page (three tables) and the
    status report's section for each year, read together."""
    settings.SUPPRESSION_THRESHOLD = THRESHOLD
    StatEvent.objects.filter(municipality=cast.municipality).delete()
    first = SchoolYear.current().start_year - 1
    StatEvent.objects.bulk_create(
        StatEvent(
            municipality=cast.municipality,
            kind="undring" if level == 0 else "logg",
            level=level,
            unit_kind=kind,
            year=first + offset,
            quarter=4,
            school_year=first + offset,
            age_band=band,
        )
        for offset, level, kind, band, n in rows
        for _ in range(n)
    )
    attacker = Attacker(THRESHOLD)
    model = BtiModel(attacker, full=False)
    client = Client()
    client.force_login(cast["elected_official"])
    model.read_page(client.get(reverse("bti:statistics")).content.decode())
    read_report_sections(model, cast["elected_official"], cast.municipality, (first, first + 1))
    assert attacker.breaches() == []


unit_event_rows = st.lists(
    st.tuples(
        st.integers(0, 1),  # school year offset
        st.sampled_from(LEVELS),
        st.sampled_from(["school", "north", "kindergarten", "sfo", None]),
        st.sampled_from(BANDS[:3]),
        st.integers(1, 9),  # how many
    ),
    max_size=12,
)


@pytest.mark.django_db
@on_the_database(max_examples=12)
@given(rows=unit_event_rows)
@example(rows=[(1, 0, "school", "0-5", 2), (1, 0, "north", "0-5", 9), (1, 1, "sfo", "0-5", 9)])
@example(
    rows=[
        (1, 0, "school", "0-5", 3),
        (1, 0, "north", "6-12", 9),
        (1, 0, "kindergarten", "0-5", 9),
        (1, 2, None, "6-12", 9),
    ]
)
def test_no_withheld_bti_figure_can_be_worked_out_with_the_follow_up_per_unit(cast, settings, rows):
    """Random events per unit over two school years, read by the coordinator: the
    statistics page (three tables), every status report's section and the follow-up's
    units for both years, together. The units of a kind add up to the kind's column."""
    settings.SUPPRESSION_THRESHOLD = THRESHOLD
    StatEvent.objects.filter(municipality=cast.municipality).delete()
    north = Unit.objects.get_or_create(
        municipality=cast.municipality, name="Nordvik skole", defaults={"kind": "skole"}
    )[0]
    units = {
        "school": cast.school,
        "north": north,
        "kindergarten": cast.kindergarten,
        "sfo": cast.sfo,
        None: None,
    }
    first = SchoolYear.current().start_year - 1
    StatEvent.objects.bulk_create(
        StatEvent(
            municipality=cast.municipality,
            kind="undring" if level == 0 else "logg",
            level=level,
            unit_kind=units[unit].kind if units[unit] else "skole",
            unit=units[unit],
            year=first + offset,
            quarter=4,
            school_year=first + offset,
            age_band=band,
        )
        for offset, level, unit, band, n in rows
        for _ in range(n)
    )
    attacker = Attacker(THRESHOLD)
    model = BtiModel(attacker, full=False)
    client = Client()
    client.force_login(cast["bti_coordinator"])
    model.read_page(client.get(reverse("bti:statistics")).content.decode())
    for year in (first, first + 1):
        response = client.get(reverse("bti:followup"), {"year": year})
        model.read_followup(response.content.decode(), year)
    read_report_sections(model, cast["bti_coordinator"], cast.municipality, (first, first + 1))
    assert attacker.breaches() == []


input_rows = st.lists(
    st.tuples(
        st.sampled_from([group for group, _label in InputGroup.choices]),
        st.sampled_from([setting for setting, _label in InputSetting.choices]),
        st.sampled_from(["school", "sfo", "kindergarten", None]),
        st.booleans(),  # consented for publishing
    ),
    max_size=12,
)


@pytest.mark.django_db
@on_the_database(max_examples=10)
@given(rows=input_rows)
def test_no_fortellinger_count_counts_what_the_official_cannot_read(cast, settings, rows):
    """Random fortellinger, consented or not: every count the elected official sees on
    the list, under every one-way filter, counts only the records listed beside it."""
    settings.SUPPRESSION_THRESHOLD = THRESHOLD
    ParticipationInput.objects.filter(municipality=cast.municipality).delete()
    ParticipationInput.objects.bulk_create(
        ParticipationInput(
            municipality=cast.municipality,
            quote=f"Fortelling {n}",
            group=group,
            setting=setting,
            given_on=timezone.localdate(),
            unit=getattr(cast, unit) if unit else None,
            publishable=publishable,
        )
        for n, (group, setting, unit, publishable) in enumerate(rows)
    )
    attacker = Attacker(THRESHOLD)
    stories = FortellingerModel(attacker)
    client = Client()
    client.force_login(cast["elected_official"])
    stories.read_lists(client, cast["elected_official"])
    assert attacker.breaches() == []
    assert stories.listed == 1 + len(InputGroup.choices) + len(InputSetting.choices) + 3


def test_a_fortellinger_count_of_records_not_listed_is_a_statistic():
    """The reader's rule: «3 innspill» above three cards adds nothing; «3» above two
    cards counts a record the reader cannot open, and is a small count shown."""
    attacker = Attacker(THRESHOLD)
    stories = FortellingerModel(attacker)
    stories.read("alle", 3, 3)
    assert attacker.breaches() == []
    assert stories.listed == 1
    stories.read("barn", 3, 2)
    assert attacker.breaches() == ["barn (2 listed): 3"]
    stories.read("ungdom", 7, 2)
    assert attacker.breaches() == ["barn (2 listed): 3"]


activity_rows = st.lists(
    st.tuples(
        st.integers(0, 12), st.integers(0, 12), st.integers(0, 8), st.sets(st.integers(0, 2))
    ),
    min_size=1,
    max_size=6,
)


@hsettings(max_examples=25, deadline=None)
@given(rows=activity_rows)
def test_no_withheld_competence_figure_can_be_worked_out_on_random_data(rows):
    """Random activities (confirmed, attended ≤ confirmed, feedback, areas): the
    evaluation's per-activity rows, totals and area sums read together."""
    from django.conf import settings

    assert settings.SUPPRESSION_THRESHOLD == THRESHOLD

    class Area:
        def __init__(self, key):
            self.key, self.name, self.order = key, f"Område {key}", key

    areas = [Area(key) for key in range(3)]
    evaluation_rows = []
    for index, (confirmed, attended, feedback, keys) in enumerate(rows):

        class Activity:
            title = f"Tiltak {index}"

        evaluation_rows.append(
            EvaluationRow(
                activity=Activity(),
                sessions_held=1,
                confirmed=confirmed,
                attended=min(attended, confirmed),
                feedback_count=feedback,
                feedback_sum=feedback * 4,
                areas=[areas[key] for key in sorted(keys)],
            )
        )
    published = published_evaluation(_evaluation(evaluation_rows))
    attacker = Attacker(THRESHOLD)
    model = CompetenceModel(attacker)
    titles = [row.activity.title for row in published.rows]
    for row in published.rows:
        model.read_row(2025, row.activity.title, [row.activity.title], _texts(row), sum_cell=False)
    model.read_row(2025, "sum", titles, _texts(published.total), sum_cell=True)
    for area in [*published.areas, published.without_area]:
        members = [
            row.activity.title
            for row in published.rows
            if (area.key is None and not row.areas)
            or (area.key is not None and area.key in {a.key for a in row.areas})
        ]
        if members:
            model.read_row(2025, area.name, members, _texts(area), sum_cell=True)
    assert attacker.breaches() == []


def _texts(figures) -> dict[str, str]:
    return {
        "confirmed": figures.confirmed["text"],
        "attended": figures.attended["text"],
        "feedback": figures.feedback_count["text"],
    }


def _evaluation(rows):
    from competence.selectors.reports import AreaSummary, Evaluation, Figures

    total = Figures()
    for row in rows:
        total.add(row)
    return Evaluation(
        school_year=2025,
        rows=rows,
        total=total,
        areas=[],
        without_area=AreaSummary(name="Uten utviklingsområde"),
    )


# --- The attacker bites --------------------------------------------------------------------


def test_the_attacker_finds_what_quarters_beside_a_yearly_report_give_away():
    """Today's main published quarters on the page and calendar-year sums in the report:
    a quarter's small cell is the year's minus the three quarters the page shows. The
    attacker finds it (so the audit fails on such a publication)."""
    attacker = Attacker(THRESHOLD)
    quarters = attacker.new_variables(4)
    attacker.read("K1 nivå 0", {quarters[0]: 1}, "<5", sum_cell=False)
    for index in quarters[1:]:
        attacker.read("K nivå 0", {index: 1}, "7", sum_cell=False)
    attacker.read("rapport nivå 0", dict.fromkeys(quarters, 1), "24", sum_cell=True)
    assert attacker.breaches() == ["K1 nivå 0 (small): 3…3"]


def test_the_attacker_finds_zeros_read_off_the_totals():
    """A row whose shown cells already make up its total: the hidden ones are all zero."""
    attacker = Attacker(THRESHOLD)
    cells = attacker.new_variables(3)
    attacker.read("a", {cells[0]: 1}, "9", sum_cell=False)
    attacker.read("b", {cells[1]: 1}, "<5", sum_cell=False)
    attacker.read("c", {cells[2]: 1}, "<5", sum_cell=False)
    attacker.read("sum", dict.fromkeys(cells, 1), "9", sum_cell=True)
    assert sorted(attacker.breaches()) == ["b (small): 0…0", "c (small): 0…0"]


group_breakdowns = st.tuples(
    st.lists(st.integers(0, 9), min_size=4, max_size=4),
    st.permutations(range(7)),
    st.permutations(range(5)),
)


@hsettings(max_examples=25, deadline=None)
@given(breakdowns=group_breakdowns)
# Found by hypothesis: all-small levels beside unit kinds of 5 or more, total withheld.
@example(breakdowns=([3, 4, 4, 4], tuple(range(7)), tuple(range(5))))
def test_protect_group_leaves_every_hidden_cell_its_range(breakdowns):
    """The engine alone: one school year's level counts, and the same events spread over
    unit kinds and age bands in another order; every withheld cell keeps its range."""
    from plans import disclosure

    levels, kind_order, band_order = breakdowns
    total = sum(levels)
    kinds = [0] * 7
    bands = [0] * 5
    for position in range(total):
        kinds[kind_order[position % 3]] += 1
        bands[band_order[position % 2]] += 1
    group = disclosure.protect_group(
        0, total, {"l": levels, "k": kinds, "b": bands}, limit=THRESHOLD
    )
    attacker = Attacker(THRESHOLD)
    unknowns = {
        name: attacker.new_variables(len(cells)) for name, cells in group.breakdowns.items()
    }
    for other in ("k", "b"):
        coeffs = dict.fromkeys(unknowns["l"], 1) | dict.fromkeys(unknowns[other], -1)
        attacker.relate(coeffs, 0, 0)
    # «:» says nothing only where every cell of the group is «:» (the total withheld).
    texts = [cell["text"] for cells in group.breakdowns.values() for cell in cells]
    withheld = group.total["suppressed"] and "<5" not in texts
    for name, cells in group.breakdowns.items():
        for index, cell in zip(unknowns[name], cells, strict=True):
            attacker.read(f"{name}{index}", {index: 1}, cell["text"], sum_cell=withheld)
    attacker.read("sum", dict.fromkeys(unknowns["l"], 1), group.total["text"], sum_cell=True)
    assert attacker.breaches() == []
