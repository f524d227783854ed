"""The POST pass of the access matrix: every URL that changes state × every persona, with
a valid CSRF token and a form that succeeds for a persona who may.

tests/test_access_matrix.py sends GET only, so a view whose POST forgot a check it makes on
GET (or a service that trusts its view) passes there. Here every persona sends the same
valid form, each inside a savepoint that is rolled back afterwards, and

- a persona who may not gets 403/404 (the anonymous visitor the login page, an account
  without membership 403) and the database is exactly as it was — every table, compared
  row by row, except the few that record the attempt itself (sessions, the BTI access
  log, login attempts, TOTP counters);
- a persona who may gets a redirect or a page and the database has changed, which proves
  the form is one that really passes, so the refusals above are refusals of a valid
  request rather than of a broken form.

The form for a URL is the one the page itself renders (GET as a persona who may, read
the fields like a browser), with the few fields a person would type filled in per URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.reports.conftest import write_assessments
from tests.test_access_matrix import (
    _assess,
    _bti,
    _comp,
    _comp_url,
    _consult,
    _dir,
    _dir_url,
    _dlg,
    _follow_up,
    _group_session,
    _handbook,
    _ind,
    _ind_url,
    _input,
    _journey,
    _lay_out_once,
    _pending_mapping,
    _question,
    _rep,
    _statement,
    _tool,
    _training,
    _training_url,
)

ALL = (*PERSONAS, "other_municipality", "no_membership", "anonymous")

# Written by the attempt itself, by design: the session the test logs in with, the BTI
# access log (which records refused attempts too), axes' login attempts, and the TOTP
# device's last-used counter.
ATTEMPT_TABLES = {
    "django_session",
    "btitracker_accessevent",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "otp_totp_totpdevice",
}


def fingerprint() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows, in one pass over the database."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in ATTEMPT_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            found[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return found


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


class _FormReader(HTMLParser):
    """The fields of a page's POST forms as a browser would send them (no submit button,
    no file): checked boxes, selected options (or a single select's first), text."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select = None
        self._select_options: list[tuple[str, bool]] = []
        self._select_multiple = False
        self._textarea = None
        self._text: list[str] = []
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.forms.append((a.get("action") or "", []))
            else:
                self.forms.append((None, []))
            return
        if not self.forms or self.forms[-1][0] is None:
            return
        fields = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name and "disabled" not in a:
            self._select, self._select_options = name, []
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, []]
            self._select_options.append(self._option)
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if not self.forms or self.forms[-1][0] is None:
            return
        fields = self.forms[-1][1]
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = [
                (value if value is not None else "".join(text).strip(), selected)
                for value, selected, text in self._select_options
            ]
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not self._select_multiple:
                chosen = [options[0][0]]
            fields.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The parser keeps the newline after <textarea>, which a browser drops.
            fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def page_form(html: str, path: str) -> dict[str, list[str]]:
    """The fields of the POST form on ``html`` that posts to ``path`` (or to itself)."""
    reader = _FormReader()
    reader.feed(html)
    candidates = [
        fields for action, fields in reader.forms if action is not None and action in ("", path)
    ]
    assert candidates, f"{path}: no POST form on the page"
    # The page's main form is its largest one (a page may also carry a logout form).
    fields = max(candidates, key=len)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    return data


# A member who may not is answered 403 or 404; the anonymous visitor is sent to the login
# page; an account without membership gets 403.
REFUSED = (403, 404)

# --- the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One state-changing URL. ``fields`` are set over the form the page renders for the
    first persona in ``may`` (``page=False``: a POST-only URL, the fields are the whole
    payload). ``refusal`` names a persona's refusal when it is not 403/404 (a form error
    400, say); ``extra`` adds personas beyond the cast (BTI's team members)."""

    name: str
    url: Callable
    fields: Callable = lambda c: {}
    page: bool = True
    may: tuple[str, ...] = ()
    refusal: dict = field(default_factory=dict)
    extra: tuple[str, ...] = ()


def _group_tool(c):
    from tests.plans.test_group_assessment import administration_tool

    return administration_tool(c)


def _draft_quality_plan(c):
    """A draft revision of Solvik's plan: the only state the edit pages accept."""
    from plans.models import QualityPlan
    from tests.factories import DevelopmentAreaFactory, QualityPlanFactory

    found = QualityPlan.objects.filter(municipality=c.municipality, adopted_on=None).first()
    if found is None:
        found = QualityPlanFactory(
            municipality=c.municipality,
            title="Solvik-utkast",
            revision=2,
            adopted_on=None,
            council_case="",
            previous=c.quality_plan,
            # Owned, plan and area, so the adoption the sector leader posts goes through.
            owner=c["sector_leader"],
        )
        DevelopmentAreaFactory(
            plan=found, name="Utkastets område", order=1, owner=c["sector_leader"]
        )
    return found


def _draft_area(c):
    return _draft_quality_plan(c).areas.get()


def _approved_school_plan(c):
    """Last year's approved plan of the unit leader's school: the one they evaluate."""
    from plans.models import UnitPlan, UnitPlanStatus
    from plans.schoolyear import SchoolYear
    from tests.factories import UnitPlanFactory

    year = SchoolYear.current().start_year - 1
    return UnitPlan.objects.filter(unit=c.school, school_year=year).first() or UnitPlanFactory(
        unit=c.school, quality_plan=c.quality_plan, school_year=year, status=UnitPlanStatus.APPROVED
    )


def _draft_assessment(c):
    """The school's draft self-assessment, started as the unit leader starts one."""
    from plans.services.self_assessment import self_assessment_start

    _tool(c)
    return self_assessment_start(unit=c.school, actor=c["unit_leader"])


def _area_input(c, draft=False):
    """A consented input on Solvik's first area (or the draft revision's area), which a
    measure or a mark of good practice may cite."""
    item = _input(c, publishable=True)
    item.areas.add(_draft_area(c) if draft else c.areas[0])
    return item


def _measure(c):
    return c.school_plan.measures.get()


def _next_year(c):
    from plans.schoolyear import SchoolYear

    return str(SchoolYear.current().start_year + 1)


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _in_days(days):
    import datetime

    from django.utils import timezone

    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _held_session(c):
    return _comp(c)["registration"].session


def _upcoming_registration(c):
    from competence.models import Registration

    return Registration.objects.get_or_create(
        session=_comp(c)["session"], user=c["staff"], defaults={"status": "pameldt"}
    )[0]


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def _needs_preview(c):
    """The data admin's first step of a needs import: the preview, signed for them."""
    from tests.competence.test_needs import EXAMPLE

    client = Client()
    client.force_login(c["data_admin"])
    response = client.post(
        reverse("competence:needs-import"),
        {
            "name": "KOSIP november 2026",
            "conducted_on": "2026-11-16",
            "school_year": "2027/28",
            "file": _upload(EXAMPLE.read_bytes(), "behov.csv"),
        },
    )
    assert response.status_code == 200
    return {"payload": response.context["payload"]}


def base_file() -> bytes:
    from tests.indicators.import_helpers import base_file as made

    return made()


def _previewed_batch(c):
    from tests.indicators.import_helpers import preview

    return preview(base_file(), "trivsel.csv", user=c["data_admin"], municipality=c.municipality)


def _committed_batch(c):
    from tests.indicators.import_helpers import imported

    return imported(base_file(), "trivsel.csv", user=c["data_admin"], municipality=c.municipality)


def _unknown_batch(c):
    """A file in a layout no parser knows: it waits for the data admin's column mapping."""
    from tests.indicators.import_helpers import preview
    from tests.indicators.test_import_flow import UNKNOWN

    return preview(UNKNOWN, "egen.csv", user=c["data_admin"], municipality=c.municipality)


def _published_report(c):
    """A published report with no newer draft: the one a new version starts from."""
    from reports.services import status_reports as services

    write_assessments(plan=c.quality_plan, year=c.quality_plan.period_end, user=c["sector_leader"])
    report = services.status_report_order(
        user=c["sector_leader"], quality_plan=c.quality_plan, year=c.quality_plan.period_end
    )
    services.status_report_render(report_id=report.pk, render=_lay_out_once)
    services.status_report_publish(report=report, user=c["sector_leader"])
    # Publishing queues the final render; the worker's half runs here.
    services.status_report_render(report_id=report.pk, render=_lay_out_once)
    report.refresh_from_db()
    return report


def _declined_case(bti):
    """The log once the kindergarten has declined the pending handover: free to propose."""
    from btitracker.models import HandoverStatus
    from btitracker.services import cases as services

    if bti.handover.status == HandoverStatus.PENDING:
        services.handover_decline(actor=bti.kg_staff, handover=bti.handover)
    return bti.case


def _holder_member(c):
    bti = _bti(c)
    return bti.case.team.get(user=bti.case.holder)


PLAN_ROWS = [
    Row(
        "quality plan create",
        lambda c: reverse("plans:quality-plan-list"),
        lambda c: {"title": "Ny plan", "period_start": "2030", "period_end": "2033"},
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "quality plan edit",
        lambda c: reverse("plans:quality-plan-edit", args=[_draft_quality_plan(c).pk]),
        lambda c: {"title": "Solvik-utkast, endret"},
        may=("sector_leader",),
    ),
    Row(
        "quality plan adopt",
        lambda c: reverse("plans:quality-plan-adopt", args=[_draft_quality_plan(c).pk]),
        lambda c: {"adopted_on": _today(), "council_case": "PS 1/26"},
        may=("sector_leader",),
    ),
    Row(
        "quality plan revise",
        lambda c: reverse("plans:quality-plan-revise", args=[c.quality_plan.pk]),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "quality plan part add",
        lambda c: reverse("plans:quality-plan-part-add", args=[_draft_quality_plan(c).pk, "value"]),
        lambda c: {"name": "Modig", "meaning": "Barnet tør.", "order": "5"},
        may=("sector_leader",),
    ),
    Row(
        "quality plan part edit",
        lambda c: reverse(
            "plans:quality-plan-part-edit",
            args=[_draft_quality_plan(c).pk, "area", _draft_area(c).pk],
        ),
        lambda c: {"name": "Utkastets område, endret"},
        may=("sector_leader",),
    ),
    Row(
        "quality plan mark of good practice, citing input",
        lambda c: reverse(
            "plans:quality-plan-part-add", args=[_draft_quality_plan(c).pk, "characteristic"]
        ),
        lambda c: {
            "area": str(_draft_area(c).pk),
            "order": "4",
            "text": "Barna blir hørt.",
            "source_inputs": [str(_area_input(c, draft=True).pk)],
        },
        may=("sector_leader",),
    ),
    Row(
        "quality plan part delete",
        lambda c: reverse(
            "plans:quality-plan-part-delete",
            args=[_draft_quality_plan(c).pk, "area", _draft_area(c).pk],
        ),
        may=("sector_leader",),
    ),
    Row(
        "unit plan create",
        lambda c: reverse("plans:unit-plan-create", args=[c.school.pk]),
        lambda c: {
            f"unit{c.school.pk}-school_year": _next_year(c),
            f"unit{c.school.pk}-start_from_previous": "on",
        },
        page=False,
        may=("unit_leader",),
    ),
    Row(
        "unit plan edit",
        lambda c: reverse("plans:unit-plan-edit", args=[c.school_plan.pk]),
        lambda c: {"introduction": "Vi løfter lesingen."},
        may=("unit_leader",),
    ),
    Row(
        "unit plan submit",
        lambda c: reverse("plans:unit-plan-submit", args=[c.school_plan.pk]),
        page=False,
        may=("unit_leader",),
    ),
    Row(
        "unit plan review",
        lambda c: reverse("plans:unit-plan-review", args=[c.sfo_plan.pk]),
        lambda c: {"decision": "approve", "comment": "Godkjent."},
        may=("sector_leader",),
    ),
    Row(
        "unit plan evaluate",
        lambda c: reverse("plans:unit-plan-evaluate", args=[_approved_school_plan(c).pk]),
        lambda c: {"evaluation": "Et godt år."},
        may=("unit_leader",),
    ),
    Row(
        "unit plan measure add",
        lambda c: reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "measure"]),
        lambda c: {
            "description": "Lesevenner på tvers av trinn",
            "component": str(c.components[0].pk),
            "start": _today(),
            "end": _in_days(60),
            "target_groups": ["ansatte", "barn_unge"],
        },
        may=("unit_leader",),
    ),
    Row(
        "unit plan measure add, citing input",
        lambda c: reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "measure"]),
        lambda c: {
            "description": "Vennebenk i skolegården",
            "component": str(c.components[0].pk),
            "start": _today(),
            "end": _in_days(60),
            "target_groups": ["ansatte", "barn_unge"],
            "motivated_by_inputs": [str(_area_input(c).pk)],
        },
        may=("unit_leader",),
    ),
    Row(
        "unit plan measure edit",
        lambda c: reverse(
            "plans:unit-plan-part-edit", args=[c.school_plan.pk, "measure", _measure(c).pk]
        ),
        lambda c: {"description": "Leseløftet, endret"},
        may=("unit_leader",),
    ),
    Row(
        "unit plan measure delete",
        lambda c: reverse(
            "plans:unit-plan-part-delete", args=[c.school_plan.pk, "measure", _measure(c).pk]
        ),
        may=("unit_leader",),
    ),
    Row(
        "quality tool create",
        lambda c: reverse("plans:quality-tool-create"),
        lambda c: {"title": "Kvalitetsverktøy for barnehage"},
        may=("sector_leader",),
    ),
    Row(
        "quality tool statement add",
        lambda c: reverse("plans:quality-tool-statement-add", args=[_tool(c).pk]),
        lambda c: {
            "text": "Alle barn blir sett hver dag.",
            "order": "9",
            "area": str(c.areas[0].pk),
        },
        may=("sector_leader",),
    ),
    Row(
        "quality tool statement edit",
        lambda c: reverse(
            "plans:quality-tool-statement-edit", args=[_tool(c).pk, _statement(c).pk]
        ),
        lambda c: {"text": "Endret påstand."},
        may=("sector_leader",),
    ),
    Row(
        "quality tool statement delete",
        lambda c: reverse(
            "plans:quality-tool-statement-delete", args=[_tool(c).pk, _statement(c).pk]
        ),
        may=("sector_leader",),
    ),
    Row(
        "self-assessment start",
        # The tool of the plan in force must exist before an assessment can start.
        lambda c: _tool(c) and reverse("plans:self-assessment-start", args=[c.school.pk]),
        page=False,
        may=("unit_leader",),
    ),
    Row(
        "self-assessment edit",
        lambda c: reverse("plans:self-assessment-edit", args=[_draft_assessment(c).pk]),
        lambda c: {"participants": "Hele personalet"},
        may=("unit_leader",),
    ),
    Row(
        "self-assessment group start",
        # The administration's tool must exist before a session can start.
        lambda c: _group_tool(c) and reverse("plans:self-assessment-group-start"),
        lambda c: {
            "group": "administration",
            "participants": [str(c["sector_leader"].pk), str(c["elected_official"].pk)],
            "conducted_on": _today(),
        },
        page=False,
        may=("sector_leader",),
        # A unit leader runs only their unit's staff: the municipality group is no choice.
        refusal={"unit_leader": 400},
    ),
    Row(
        "self-assessment group answer",
        lambda c: reverse("plans:self-assessment-answer", args=[_group_session(c).pk]),
        lambda c: {
            f"score_{pk}": "3"
            for pk in _group_session(c).tool.statements.values_list("pk", flat=True)
        },
        may=("sector_leader", "elected_official"),
    ),
    Row(
        "self-assessment group close",
        lambda c: reverse("plans:self-assessment-close", args=[_group_session(c).pk]),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "participation add",
        lambda c: reverse("plans:participation-add"),
        lambda c: {
            "quote": "Jeg liker friminuttene.",
            "descriptor": "Jente, 8 år",
            "group": "barn",
            "setting": "barnesamtale",
            "given_on": _today(),
            "unit": str(c.school.pk),
        },
        may=("sector_leader", "unit_leader", "data_admin"),
        # Nabovik's data admin adds input of their own, never to Solvik's unit.
        refusal={"other_municipality": 200},
    ),
    Row(
        "participation edit",
        lambda c: reverse("plans:participation-edit", args=[_input(c, False).pk]),
        lambda c: {"quote": "Endret fortelling"},
        may=("sector_leader", "data_admin"),
    ),
    Row(
        "participation delete",
        lambda c: reverse("plans:participation-delete", args=[_input(c, True).pk]),
        may=("sector_leader", "data_admin"),
    ),
    Row(
        "journey add",
        lambda c: reverse("plans:journey-add"),
        lambda c: {"title": "Fra barnehage til skole"},
        may=("sector_leader", "data_admin", "other_municipality"),
    ),
    Row(
        "journey edit",
        lambda c: reverse("plans:journey-edit", args=[_journey(c, True).pk]),
        lambda c: {"title": "Endret brukerreise"},
        may=("sector_leader", "data_admin"),
    ),
]

COMPETENCE_ROWS = [
    Row(
        "funding scheme add",
        lambda c: reverse("competence:funding-add"),
        lambda c: {"name": "Rekomp"},
        may=("sector_leader",),
    ),
    Row(
        "funding scheme edit",
        lambda c: reverse("competence:funding-edit", args=[_comp(c)["scheme"].pk]),
        lambda c: {"name": "Dekomp, endret"},
        may=("sector_leader",),
    ),
    Row(
        "activity add",
        lambda c: reverse("competence:activity-add"),
        lambda c: {"title": "Nytt kurs om lek", "form": "kurs"},
        may=("sector_leader",),
    ),
    Row(
        "activity edit",
        lambda c: reverse("competence:activity-edit", args=[_comp(c)["activity"].pk]),
        lambda c: {"title": "Solvik-kurs, endret"},
        may=("sector_leader",),
    ),
    Row(
        "activity delete",
        lambda c: reverse("competence:activity-delete", args=[_comp(c)["activity"].pk]),
        may=("sector_leader",),
    ),
    Row(
        "session add",
        lambda c: reverse("competence:session-add", args=[_comp(c)["activity"].pk]),
        lambda c: {"starts_at": _in_days(30) + "T09:00", "ends_at": _in_days(30) + "T11:00"},
        may=("sector_leader",),
    ),
    Row(
        "session edit",
        lambda c: reverse("competence:session-edit", args=[_comp(c)["session"].pk]),
        lambda c: {"place": "Rådhuset"},
        may=("sector_leader",),
    ),
    Row(
        "session delete",
        lambda c: reverse("competence:session-delete", args=[_comp(c)["session"].pk]),
        may=("sector_leader",),
    ),
    Row(
        "session register",
        lambda c: reverse("competence:session-register", args=[_comp(c)["session"].pk]),
        page=False,
        may=("unit_leader", "staff"),
        # The activity is for schools: the others are told so, and nothing is written.
        refusal=dict.fromkeys(("sector_leader", "bti_coordinator", "data_admin"), 302),
    ),
    Row(
        "session attendance",
        lambda c: reverse("competence:session-attendance", args=[_held_session(c).pk]),
        lambda c: {"attended": [str(_comp(c)["registration"].pk)]},
        may=("sector_leader",),
    ),
    Row(
        "registration cancel",
        lambda c: reverse("competence:registration-cancel", args=[_upcoming_registration(c).pk]),
        page=False,
        may=("sector_leader", "staff"),
    ),
    Row(
        "registration feedback",
        lambda c: reverse("competence:registration-feedback", args=[_comp(c)["registration"].pk]),
        lambda c: {"score": "5", "comment": "Nyttig."},
        may=("staff",),
    ),
    Row(
        "needs import",
        lambda c: _comp_url(c, "competence:needs-import"),
        _needs_preview,
        page=False,
        may=("data_admin",),
        # The previewed rows are signed for the data admin who previewed them.
        refusal={"sector_leader": 400, "other_municipality": 400},
    ),
    Row(
        "needs survey delete",
        lambda c: reverse("competence:needs-delete", args=[_comp(c)["survey"].pk]),
        may=("sector_leader", "data_admin"),
    ),
    Row(
        "event add",
        lambda c: reverse("competence:event-add"),
        lambda c: {"title": "Planleggingsdag", "starts_on": _in_days(40), "kind": "bti"},
        may=("sector_leader",),
    ),
    Row(
        "event edit",
        lambda c: reverse("competence:event-edit", args=[_comp(c)["event"].pk]),
        lambda c: {"title": "Frist, endret"},
        may=("sector_leader",),
    ),
    Row(
        "event delete",
        lambda c: reverse("competence:event-delete", args=[_comp(c)["event"].pk]),
        may=("sector_leader",),
    ),
    Row(
        "calendar feed add",
        lambda c: _comp_url(c, "competence:feeds"),
        may=(*PERSONAS, "other_municipality"),
    ),
    Row(
        "training requirement add",
        lambda c: _training_url(c, "competence:training-requirement-add"),
        lambda c: {
            "name": "Førstehjelp",
            "roles": ["staff"],
            "themes": [str(_training(c).themes.get().pk)],
        },
        may=("sector_leader",),
    ),
    Row(
        "training requirement edit",
        lambda c: reverse("competence:training-requirement-edit", args=[_training(c).pk]),
        lambda c: {"valid_years": "3"},
        may=("sector_leader",),
    ),
    Row(
        "calendar feed revoke",
        lambda c: reverse("competence:feed-revoke", args=[_comp(c)["feed"].pk]),
        page=False,
        may=("staff",),
    ),
]


def _own_indicator(c):
    """Solvik's own indicator: its settings are Solvik's to change (an installation-wide
    one's are the installation administrators', indicators/selectors/tenancy.py)."""
    from indicators.models import Indicator

    found = getattr(c, "_own_indicator", None)
    if found is None:
        found = Indicator.objects.create(
            source=_ind(c)["indicator"].source,
            municipality=c.municipality,
            code="solvik-trivsel",
            name="Trivsel i Solvik",
        )
        object.__setattr__(c, "_own_indicator", found)
    return found


def _saved_mapping(c):
    """Solvik's saved column mapping, made by its data admin in the mapping step."""
    from django.test import Client

    from indicators.models import ImportMapping

    found = ImportMapping.objects.filter(municipality=c.municipality).first()
    if found is None:
        admin = Client()
        admin.force_login(c["data_admin"])
        admin.post(
            reverse("indicators:import-mapping", args=[_unknown_batch(c).pk]), _MAPPING_ANSWER
        )
        found = ImportMapping.objects.get(municipality=c.municipality)
    return found


_MAPPING_ANSWER = {
    "name": "Solviks trivselsfil",
    "source": "lokal",
    "indicator_code": "solvik-trives",
    "indicator_name": "Andel som trives",
    "place_code": "Kommunenr",
    "place_level": "kommune",
    "period": "Skoleår",
    "subgroups": ["Kjønn"],
    "value": "Andel som trives",
}


def _link_payload(c):
    """A new indicator of a previewed file and an area of Solvik's plan in force."""
    batch = _previewed_batch(c)
    code = batch.preview["indicators"][0]["code"]
    return {"indicator_code": code, "area": c.quality_plan.areas.first().pk}


def _pending_grant(c):
    """A unit leadership the data admin granted, waiting for a sector leader."""
    from plans.models import Membership, Role
    from tests.factories import MembershipFactory

    found = Membership.objects.filter(pending=True, user=c["elected_official"]).first()
    return found or MembershipFactory(
        user=c["elected_official"],
        municipality=c.municipality,
        unit=c.school,
        role=Role.UNIT_LEADER,
        pending=True,
        granted_by=c["data_admin"],
    )


INDICATOR_ROWS = [
    Row(
        "indicator edit",
        lambda c: reverse("indicators:indicator-edit", args=[_own_indicator(c).pk]),
        lambda c: {"description": "Andel elever som opplever mobbing."},
        may=("sector_leader", "data_admin"),
    ),
    Row(
        "indicator targets",
        lambda c: reverse("indicators:indicator-targets", args=[_ind(c)["indicator"].pk]),
        may=("sector_leader",),
    ),
    Row(
        "indicator commentary",
        lambda c: reverse("indicators:indicator-commentary", args=[_ind(c)["indicator"].pk]),
        lambda c: {"text": "Ny kommentar om mobbing"},
        may=("sector_leader",),
    ),
    Row(
        "import upload",
        lambda c: _ind_url(c, "indicators:import-upload"),
        lambda c: {"file": _upload(base_file(), "trivsel.csv")},
        may=("data_admin", "other_municipality"),
    ),
    Row(
        "import mapping",
        lambda c: reverse("indicators:import-mapping", args=[_unknown_batch(c).pk]),
        lambda c: _MAPPING_ANSWER,
        may=("data_admin",),
    ),
    Row(
        "import indicator link",
        lambda c: reverse("indicators:import-indicator-link", args=[_previewed_batch(c).pk]),
        _link_payload,
        page=False,
        may=("data_admin",),
    ),
    Row(
        "mapping edit",
        lambda c: reverse("indicators:mapping-edit", args=[_saved_mapping(c).pk]),
        lambda c: {"name": "Solviks rettede trivselsfil"},
        may=("data_admin",),
    ),
    Row(
        "mapping delete",
        lambda c: reverse("indicators:mapping-delete", args=[_saved_mapping(c).pk]),
        page=False,
        may=("data_admin",),
    ),
    Row(
        "import commit",
        lambda c: reverse("indicators:import-commit", args=[_previewed_batch(c).pk]),
        page=False,
        may=("data_admin",),
    ),
    Row(
        "import discard",
        lambda c: reverse("indicators:import-discard", args=[_previewed_batch(c).pk]),
        page=False,
        may=("data_admin",),
    ),
    Row(
        "import rollback",
        lambda c: reverse("indicators:import-rollback", args=[_committed_batch(c).pk]),
        page=False,
        may=("data_admin",),
    ),
]


def _logo_upload(c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0H10V10Z"/></svg>'
    )
    return {"logo": SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml")}


REPORT_ROWS = [
    Row(
        "report order",
        lambda c: reverse("reports:report-order"),
        may=("sector_leader",),
    ),
    Row(
        "law topics mapping",
        lambda c: reverse("reports:law-topics"),
        # The shared published indicator under læringsresultater: a mapping that changes.
        fields=lambda c: {"laeringsresultater_1": str(_ind(c)["indicator"].pk)},
        may=("sector_leader",),
    ),
    Row(
        "report logo upload",
        lambda c: reverse("reports:branding-edit"),
        fields=_logo_upload,
        may=("sector_leader",),
    ),
    Row(
        "report publish",
        lambda c: reverse("reports:report-publish", args=[_rep(c)["draft"].pk]),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "report retry",
        lambda c: reverse("reports:report-retry", args=[_rep(c)["draft"].pk]),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "report new version",
        lambda c: reverse("reports:report-new-version", args=[_published_report(c).pk]),
        page=False,
        may=("sector_leader",),
    ),  # The council's treatment.
    Row(
        "treatment edit",
        lambda c: reverse("reports:treatment-edit", args=[_rep(c)["published"].pk]),
        fields=lambda c: {"case_number": "2026/99", "committee": "Hovedutvalg for oppvekst"},
        may=("sector_leader",),
    ),
    Row(
        "follow-up create",
        lambda c: reverse("reports:follow-up-create", args=[_rep(c)["published"].pk]),
        fields=lambda c: {
            "title": "Plan for regning",
            "owner": c["unit_leader"].pk,
            "due_on": "2026-05-01",
        },
        may=("sector_leader",),
    ),
    Row(
        "follow-up edit",
        lambda c: reverse("reports:follow-up-edit", args=[_follow_up(c).pk]),
        fields=lambda c: {"title": "Plan for lesing og regning"},
        may=("sector_leader",),
    ),
    Row(
        "follow-up status",
        lambda c: reverse("reports:follow-up-status", args=[_follow_up(c).pk]),
        fields=lambda c: {"status": "pagar", "note": "I gang."},
        may=("sector_leader", "unit_leader"),
    ),
    Row(
        "question create",
        lambda c: reverse("reports:question-create", args=[_rep(c)["published"].pk]),
        fields=lambda c: {"text": "Hva koster tiltaket?"},
        may=(
            "sector_leader",
            "unit_leader",
            "staff",
            "bti_coordinator",
            "elected_official",
            "data_admin",
        ),
    ),
    Row(
        "question answer",
        lambda c: reverse("reports:question-answer", args=[_question(c).pk]),
        fields=lambda c: {"answer": "Om lag 200 000 kroner."},
        may=("sector_leader",),
    ),
    Row(
        "assessment start",
        lambda c: reverse("reports:assessment-start"),
        fields=lambda c: {"quality_plan": c.quality_plan.pk, "year": c.quality_plan.period_start},
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "assessment edit",
        lambda c: reverse("reports:assessment-edit", args=[_assess(c)["area"].pk]),
        fields=lambda c: {"where_are_we_text": "Skrevet i matrisen."},
        may=("sector_leader", "unit_leader"),
    ),
    Row(
        "assessment submit",
        lambda c: reverse("reports:assessment-submit", args=[_assess(c)["area"].pk]),
        page=False,
        may=("sector_leader", "unit_leader"),
    ),
    Row(
        "assessment approve",
        lambda c: reverse("reports:assessment-approve", args=[_answered_assessment(c).pk]),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "assessment return",
        lambda c: reverse("reports:assessment-return", args=[_reviewed_assessment(c).pk]),
        fields=lambda c: {"comment": "Utdyp."},
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "assessment invite",
        lambda c: reverse("reports:assessment-invite", args=[_assess(c)["area"].pk]),
        fields=lambda c: {"user": c["staff"].pk},
        page=False,
        may=("sector_leader",),
    ),
]


def _answered_assessment(c):
    """The invited area's assessment with every question answered (still a draft)."""
    from reports.models import AssessmentQuestion
    from reports.services import assessments as assessment_services

    area = _assess(c)["area"]
    assessment_services.assessment_update(
        assessment=area,
        user=c["sector_leader"],
        answers={q.value: ("Svar.", False) for q in AssessmentQuestion},
    )
    return area


def _reviewed_assessment(c):
    from reports.services import assessments as assessment_services

    area = _answered_assessment(c)
    area.refresh_from_db()
    if area.state == "utkast":
        assessment_services.assessment_submit(assessment=area, user=c["unit_leader"])
    return area


# BTI: the staff member holds the log; the unit leader leads the holding unit (and reads
# the log, with consent); the nurse is on the team with write access; the outsider is a
# colleague at the school who is not on the team; kg_staff is the proposed new holder.
BTI_EXTRA = ("nurse", "outsider", "kg_staff")


def _bti_row(
    name, url_name, attr, *more, fields=lambda c: {}, page=True, may=("staff",), refusal=None
):
    def url(c):
        bti = _bti(c)
        if attr is None:
            return reverse(url_name)
        first = _declined_case(bti) if attr == "declined_case" else getattr(bti, attr)
        return reverse(url_name, args=[first.pk] + [m(bti).pk for m in more])

    return Row(name, url, fields, page=page, may=may, refusal=refusal or {}, extra=BTI_EXTRA)


def _nurse_member(bti):
    return bti.case.team.get(user=bti.nurse)


def _consent(bti):
    return bti.consent


def _action(bti):
    return bti.action


def _unborn_case(c):
    from tests.bti.helpers import build_unborn

    return build_unborn(c).case


# The child's and the family's view, asked at every evaluation and decision.
def _views(c):
    from tests.bti.helpers import VIEWS_POST

    return VIEWS_POST


BTI_ROWS = [
    _bti_row(
        "bti concern create",
        "bti:concern-create",
        None,
        fields=lambda c: {
            "observation": "Fiktiv: sliten i timene.",
            "duration": "To uker",
            "unit": str(c.school.pk),
            "band": str(_bti(c).concern.band_id),
        },
        may=("staff", "unit_leader", "outsider"),
        # A concern is raised in one's own unit: the school is not the nurse's.
        refusal={"nurse": 400, "kg_staff": 400},
    ),
    _bti_row(
        "bti concern decide",
        "bti:concern-decide",
        "pending_concern",
        fields=lambda c: {
            "decision": "avsluttet",
            "note": "Ingen videre bekymring.",
            **_views(c),
        },
        may=("unit_leader",),
    ),
    _bti_row(
        "bti case level",
        "bti:case-level",
        "case",
        fields=lambda c: {"level": "2", **_views(c)},
    ),
    Row(
        "bti case birth",
        lambda c: reverse("bti:case-birth", args=[_unborn_case(c).pk]),
        lambda c: {"name": "Fiktiv Nyfødtsen", "birth_date": _today()},
        # The health station's log before birth: only its holder, the nurse.
        may=("nurse",),
        extra=BTI_EXTRA,
    ),
    _bti_row(
        "bti guardian add",
        "bti:case-guardian-add",
        "case",
        fields=lambda c: {"name": "Fiktiv Forelder To"},
    ),
    _bti_row(
        "bti team add",
        "bti:case-team-add",
        "case",
        fields=lambda c: {"user": str(_bti(c).outsider.pk), "unit": str(c.school.pk)},
    ),
    _bti_row("bti team remove", "bti:case-team-remove", "case", _nurse_member, page=False),
    _bti_row(
        "bti consent add",
        "bti:case-consent-add",
        "case",
        fields=lambda c: {"given_by": "Fiktiv Forelder", "given_on": _today()},
    ),
    _bti_row("bti consent withdraw", "bti:case-consent-withdraw", "case", _consent, page=False),
    _bti_row(
        "bti violence flag",
        "bti:case-violence",
        "case",
        fields=lambda c: {"justification": "Fiktiv begrunnelse for mistanke."},
    ),
    _bti_row(
        "bti goal add",
        "bti:case-goal-add",
        "case",
        fields=lambda c: {"text": "Fiktivt mål"},
        may=("staff", "nurse"),
    ),
    _bti_row(
        "bti entry add",
        "bti:case-entry-add",
        "case",
        fields=lambda c: {"text": "Fiktivt notat"},
        may=("staff", "nurse"),
    ),
    _bti_row(
        "bti action add",
        "bti:case-action-add",
        "case",
        fields=lambda c: {
            "description": "Fiktivt tiltak to",
            "responsible": str(_holder_member(c).pk),
            "start_date": _today(),
            "evaluation_date": _in_days(20),
        },
        may=("staff", "nurse"),
    ),
    _bti_row(
        "bti action evaluate",
        "bti:case-action-evaluate",
        "case",
        _action,
        fields=lambda c: {"evaluated_on": _today(), "text": "Fiktiv evaluering", **_views(c)},
        may=("staff", "nurse"),
    ),
    _bti_row(
        "bti meeting add",
        "bti:case-meeting-add",
        "case",
        fields=lambda c: {
            "held_on": _today(),
            "summary": "Fiktivt referat",
            "participants": [str(_holder_member(c).pk)],
            "others_present": "Fiktivt: eleven",
            "tiltak-0-description": "Fiktivt møtetiltak",
            "tiltak-0-responsible": str(_holder_member(c).pk),
            "tiltak-0-start_date": _today(),
            "tiltak-0-evaluation_date": _in_days(14),
        },
        may=("staff", "nurse"),
    ),
    _bti_row(
        "bti handover propose",
        "bti:case-handover",
        "declined_case",
        fields=lambda c: {
            "to_unit": str(_bti(c).health_station.pk),
            "to_holder": str(_bti(c).nurse.pk),
        },
    ),
    _bti_row("bti close", "bti:case-close", "case", fields=_views),
    _bti_row(
        "bti handover accept",
        "bti:handover-accept",
        "handover",
        fields=lambda c: {"given_by": "Fiktiv Forelder", "given_on": _today()},
        may=("kg_staff",),
    ),
]


# The handbook: the BTI coordinator alone writes; Nabovik finds nothing (404).
def _handbook_row(name, url, fields=lambda c: {}):
    return Row(name, url, fields, may=("bti_coordinator",))


def _pdf_upload(c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.bti.test_handbook import PDF

    return {
        "title": "Observasjonsskjema",
        "file": SimpleUploadedFile("skjema.pdf", PDF, content_type="application/pdf"),
    }


HANDBOOK_ROWS = [
    _handbook_row(
        "bti handbook step create",
        lambda c: reverse("bti:handbook-step-create"),
        lambda c: {"title": "Ring foresatte", "text": "Avtal et møte."},
    ),
    _handbook_row(
        "bti handbook step edit",
        lambda c: reverse("bti:handbook-step-edit", args=[_handbook(c).pk]),
        lambda c: {"text": "En ny tekst."},
    ),
    _handbook_row(
        "bti handbook step delete",
        lambda c: reverse("bti:handbook-step-delete", args=[_handbook(c).pk]),
    ),
    _handbook_row(
        "bti handbook tool create", lambda c: reverse("bti:handbook-tool-create"), _pdf_upload
    ),
    _handbook_row(
        "bti handbook tool delete",
        lambda c: reverse("bti:handbook-tool-delete", args=[_handbook(c).tools.get().pk]),
    ),
]

# The directory of services: the BTI coordinator keeps it; everyone else is refused.
DIRECTORY_ROWS = [
    Row(
        "directory service create",
        _dir_url("directory:service-create"),
        lambda c: {
            "name": "Krisesenteret",
            "helps_with": "Et trygt sted å bo for den som utsettes for vold.",
            "for_whom": "Alle som utsettes for vold i nære relasjoner",
            "contact": "Døgnåpen telefon 12 34 56 78",
            "needs": [str(_dir(c).violence.pk)],
        },
        may=("bti_coordinator",),
    ),
    Row(
        "directory service edit",
        _dir_url("directory:service-edit", "public"),
        lambda c: {"helps_with": "Samtaler for par og familier, også etter brudd."},
        may=("bti_coordinator",),
    ),
    Row(
        "directory service status",
        _dir_url("directory:service-status", "public"),
        lambda c: {"active": "0"},
        page=False,
        may=("bti_coordinator",),
    ),
    Row(
        "directory units sync",
        _dir_url("directory:units-sync"),
        page=False,
        may=("bti_coordinator",),
    ),
    Row(
        "directory need create",
        _dir_url("directory:need-list"),
        lambda c: {"name": "Mobbing"},
        may=("bti_coordinator",),
    ),
    Row(
        "directory need edit",
        _dir_url("directory:need-edit", "language"),
        lambda c: {"name": "Språk og lesing"},
        may=("bti_coordinator",),
    ),
    Row(
        "directory need delete",
        _dir_url("directory:need-delete", "anxiety"),
        may=("bti_coordinator",),
    ),
]

MEMBERSHIP_ROWS = [
    Row(
        "membership confirm",
        lambda c: reverse("plans:membership-confirm", args=[_pending_grant(c).pk]),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "membership reject",
        lambda c: reverse("plans:membership-reject", args=[_pending_grant(c).pk]),
        page=False,
        may=("sector_leader",),
    ),
]

MAPPING_ROWS = [
    Row(
        "group mapping confirm",
        lambda c: reverse("identity:mapping-confirm", args=[_pending_mapping(c).pk]),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "group mapping reject",
        lambda c: reverse("identity:mapping-reject", args=[_pending_mapping(c).pk]),
        page=False,
        may=("sector_leader",),
    ),
]

# Consultation meetings: the PPT adviser attends the school's meetings (reads them, writes
# nothing); the school's staff member answers for the held meeting's action.
CONSULT_EXTRA = ("ppt",)


def _consult_row(name, url_name, attr, *, fields, may):
    def url(c):
        consult = _consult(c)
        if attr is None:
            return reverse(url_name)
        return reverse(url_name, args=[getattr(consult, attr).pk])

    return Row(name, url, fields, may=may, extra=CONSULT_EXTRA)


def _free_weekday(c):
    """A weekday of this school year with no meeting of the school's schedule."""
    import datetime

    from plans.schoolyear import SchoolYear

    year = SchoolYear(_consult(c).schedule.school_year)
    taken = set(_consult(c).schedule.meetings.values_list("planned_on", flat=True))
    day = year.start
    while day.weekday() > 4 or day in taken:
        day += datetime.timedelta(days=1)
    return day.isoformat()


CONSULT_ROWS = [
    _consult_row(
        "consultation schedule create",
        "bti:consultation-schedule-create",
        None,
        fields=lambda c: {"step": "save", "units": str(c.kindergarten.pk)},
        may=("bti_coordinator",),
    ),
    _consult_row(
        "consultation protocol",
        "bti:consultation-protocol",
        "planned",
        fields=lambda c: {
            "held_on": _today(),
            "deltaker-0-name": "Fiktiv Rådgiver",
            "tiltak-0-description": "Fiktivt tiltak: observasjon i klassen.",
            "tiltak-0-responsible": str(c["staff"].pk),
            "tiltak-0-follow_up_on": _in_days(14),
        },
        may=("unit_leader", "bti_coordinator"),
    ),
    _consult_row(
        "consultation meeting change",
        "bti:consultation-meeting-change",
        "planned",
        fields=lambda c: {"change": "flytt", "planned_on": _free_weekday(c)},
        may=("bti_coordinator",),
    ),
    _consult_row(
        "consultation action follow-up",
        "bti:consultation-action-follow-up",
        "action",
        fields=lambda c: {"status": "fulgt_opp", "follow_up_note": "Fiktiv: samtale holdt."},
        may=("staff",),
    ),
]


# Leader dialogues (issue 20): the sector leader writes the record of a unit dialogue, the
# unit's leader that of a team dialogue; a point's owner marks it. Nobody else, and a
# dialogue outside one's scope is a 404 (tests/plans/dialogue_helpers.py builds them).
def _dlg_path(name, which=None):
    def url(c):
        d = _dlg(c)
        return reverse(name, args=[getattr(d, which).pk]) if which else reverse(name)

    return url


DIALOGUE_ROWS = [
    Row(
        "dialogue create",
        _dlg_path("plans:dialogue-create"),
        lambda c: {
            "kind": "unit",
            "unit": str(c.sfo.pk),
            "school_year": _next_year(c),
            "held_on": _today(),
            "counterparts": [str(c["unit_leader"].pk)],
        },
        page=False,
        may=("sector_leader",),
        # Offered team dialogues only, a unit leader gets the form back with the error.
        refusal={"unit_leader": 200},
    ),
    Row(
        "dialogue edit",
        _dlg_path("plans:dialogue-edit", "unit"),
        lambda c: {"notes": "Vi ble enige om å prioritere lesing."},
        may=("sector_leader",),
    ),
    Row(
        "dialogue edit, team dialogue",
        _dlg_path("plans:dialogue-edit", "team"),
        lambda c: {"notes": "Veiledning avtalt."},
        may=("unit_leader",),
    ),
    Row(
        "dialogue agenda",
        _dlg_path("plans:dialogue-agenda", "unit"),
        page=False,
        may=("sector_leader",),
    ),
    Row(
        "dialogue status",
        _dlg_path("plans:dialogue-status", "team"),
        lambda c: {"status": "held"},
        page=False,
        may=("unit_leader",),
    ),
    Row(
        "dialogue point add",
        _dlg_path("plans:dialogue-point-add", "unit"),
        lambda c: {
            "text": "Felles plan for overgang barnehage–skole",
            "owner": str(c["unit_leader"].pk),
            "due_on": _in_days(60),
        },
        may=("sector_leader",),
    ),
    Row(
        "dialogue point update",
        _dlg_path("plans:dialogue-point-update", "staff_point"),
        lambda c: {"status": "done", "note": "Kurset er holdt."},
        may=("staff", "sector_leader"),
    ),
]

ROWS = (
    MEMBERSHIP_ROWS
    + MAPPING_ROWS
    + PLAN_ROWS
    + COMPETENCE_ROWS
    + INDICATOR_ROWS
    + REPORT_ROWS
    + BTI_ROWS
    + HANDBOOK_ROWS
    + CONSULT_ROWS
    + DIRECTORY_ROWS
    + DIALOGUE_ROWS
)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REDIS_URL = None


def _errors(response) -> list[str]:
    """The form errors and messages a page shows, to say why a POST did not pass."""
    import re

    if response.status_code == 302:
        return []
    body = response.content.decode(errors="replace")
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|errorlist|alert)[^"]*"[^>]*>(.*?)</', body, re.S
    )
    return [re.sub(r"\s+", " ", text).strip() for text in found if text.strip()][:8]


def _user(cast, persona):
    if persona in CONSULT_EXTRA:
        return getattr(_consult(cast), persona)
    if persona in BTI_EXTRA:
        return getattr(_bti(cast), persona)
    return cast[persona]


def _csrf_token(client) -> str:
    """A CSRF token the way a browser gets one: from a page with a form."""
    client.logout()
    client.get(reverse("password_reset"))
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _log_in(client, cast, persona, path, token):
    """Log the persona in (TOTP-verified where BTI asks for it), carrying the CSRF cookie
    the browser already has."""
    client.logout()
    if persona != "anonymous":
        user = _user(cast, persona)
        client.force_login(user)
        if path.startswith("/bti/"):
            from btitracker.permissions import works_with_children
            from tests.bti.helpers import otp_verify

            if works_with_children(user):
                # The TOTP step is a form of its own; the token below is for the row's.
                client.handler.enforce_csrf_checks = False
                otp_verify(client, user)
                client.handler.enforce_csrf_checks = True
    client.cookies[settings.CSRF_COOKIE_NAME] = token


def _refused(persona, response, row) -> bool:
    status = response.status_code
    if persona == "anonymous":
        return status == 302 and response["Location"].startswith(reverse("login"))
    if persona == "no_membership":
        return status == 403
    if persona in row.refusal:
        return status == row.refusal[persona]
    return status in REFUSED


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_post_matrix(plan_cast, row):
    """Every persona sends the same valid form with a valid CSRF token: those who may
    change the database, the others are refused and change nothing."""
    cast = plan_cast
    path = row.url(cast)
    data: dict = {}
    client = Client(enforce_csrf_checks=True)
    token = _csrf_token(client)
    if row.page:
        _log_in(client, cast, row.may[0], path, token)
        page = client.get(path)
        assert page.status_code == 200, f"{row.name}: the form page answered {page.status_code}"
        data = page_form(page.content.decode(), path)
    data.update(row.fields(cast))
    wrong = []
    for persona in (*ALL, *row.extra):
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
        with transaction.atomic():
            _log_in(client, cast, persona, path, token)
            before = fingerprint()
            response = client.post(path, {**data, "csrfmiddlewaretoken": token})
            changed = changed_tables(before, fingerprint())
            transaction.set_rollback(True)
        status = response.status_code
        if persona in row.may:
            if status not in (200, 302) or not changed:
                wrong.append(f"{persona} may: got {status}, changed {changed} {_errors(response)}")
        elif not _refused(persona, response, row) or changed:
            wrong.append(f"{persona} may not: got {status}, changed {changed}")
    assert wrong == [], f"{row.name}: " + "; ".join(wrong)


# POST views that change nothing of the portal's data, or only the requester's own account,
# with where they are tested. Everything else that accepts POST must be a row above.
NOT_PORTAL_WRITES = {
    "login": "signs in (tests/plans/test_auth.py)",
    "logout": "signs out",
    "password_change": "the requester's own password (tests/plans/test_auth.py)",
    "password_reset": "sends a mail, writes nothing (tests/plans/test_auth.py)",
    "password_reset_confirm": "its token is the credential (tests/plans/test_auth.py)",
    "set_language": "the session's language only",
    "bti:search": "a read, posted so the child's name stays out of URLs (tests/bti)",
    "bti:otp-enrol": "the requester's own second factor (tests/bti/test_enrol_code.py)",
    "bti:otp-verify": "the requester's own second factor (tests/bti/test_access.py)",
}


def _post_views() -> set[str]:
    """Every named URL outside the admin whose view answers POST."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
                continue
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is None:
                # A function view: only Django's set_language, which takes POST.
                accepts_post = True
            else:
                accepts_post = hasattr(view_class, "post") and (
                    "post" in view_class.http_method_names
                )
            if accepts_post and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns, None))


def test_post_matrix_covers_every_view_that_accepts_post(plan_cast):
    """A new view that takes POST must join the rows above (or say here why not)."""
    from django.urls import resolve

    covered = {resolve(row.url(plan_cast)).view_name for row in ROWS}
    assert sorted(_post_views() - covered - NOT_PORTAL_WRITES.keys()) == []
    assert sorted(covered & NOT_PORTAL_WRITES.keys()) == []
