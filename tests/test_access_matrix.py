"""Every URL × every persona → the expected status, plus a user of another municipality,
a user without membership and the anonymous visitor. Later issues add their URLs here.

Status 302 for an anonymous visitor is the redirect to the login page. The admin answers
302 to an object outside the user's scope: a redirect to the admin index that names nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.reports.conftest import write_assessments

ALL = (*PERSONAS, "other_municipality", "no_membership", "anonymous")
MEMBERS = ALL[:7]


def expect(default: int, anonymous: int = 302, no_membership: int = 403, **overrides) -> dict:
    table = dict.fromkeys(ALL, default)
    table.update(anonymous=anonymous, no_membership=no_membership, **overrides)
    return table


def only(persona_status: dict, others: int, anonymous: int = 302) -> dict:
    """``persona_status`` for the named personas, ``others`` for the rest; an account
    without membership is refused (403) before any object is looked up."""
    table = dict.fromkeys(ALL, others)
    table["anonymous"] = anonymous
    table["no_membership"] = 403
    table.update(persona_status)
    return table


ADMIN_ONLY = only({"data_admin": 200, "other_municipality": 200}, others=403)

# A unit's draft: the unit (leader and staff) and the sector leader read it; the unit
# leader alone writes it; for everyone else it does not exist.
UNIT_DRAFT_READERS = only({"sector_leader": 200, "unit_leader": 200, "staff": 200}, others=404)
UNIT_DRAFT_WRITERS = only({"sector_leader": 403, "unit_leader": 200, "staff": 403}, others=404)


# --- quality tools, self-assessment and fortellinger: objects the rows below use; built
# inside the test, once per test (get_or_create), in "our" municipality.
def _tool(c):
    from tests.plans.test_self_assessment import school_tool

    return c.quality_plan.quality_tools.first() or school_tool(c)


def _statement(c):
    return _tool(c).statements.order_by("pk").first()


def _assessment(c):
    """A draft self-assessment of the unit leader's school."""
    from plans.models import SelfAssessment

    return SelfAssessment.objects.get_or_create(
        unit=c.school, tool=_tool(c), defaults={"conducted_on": c.quality_plan.adopted_on}
    )[0]


def _input(c, publishable):
    from tests.plans.test_participation import ParticipationInputFactory

    quote = "Delt fortelling" if publishable else "Fortelling uten samtykke"
    return c.municipality.participation_inputs.filter(
        quote=quote
    ).first() or ParticipationInputFactory(
        municipality=c.municipality, quote=quote, publishable=publishable
    )


def _journey(c, publishable):
    from tests.plans.test_participation import UserJourneyFactory

    title = "Delt brukerreise" if publishable else "Brukerreise uten samtykke"
    return c.municipality.user_journeys.filter(title=title).first() or UserJourneyFactory(
        municipality=c.municipality, title=title, publishable=publishable
    )


def _group_session(c, completed=False):
    """A session of the administration with the elected officials (the sector leader and
    the cast's elected official invited), collecting answers or completed."""
    from plans.models import AssessmentGroup, AssessmentStatus, SelfAssessment

    status = AssessmentStatus.COMPLETED if completed else AssessmentStatus.COLLECTING
    found = SelfAssessment.objects.filter(
        group=AssessmentGroup.ADMINISTRATION, status=status
    ).first()
    if found is not None:
        return found
    from tests.plans.test_group_assessment import administration_session

    SelfAssessment.objects.filter(group=AssessmentGroup.ADMINISTRATION).delete()
    session = administration_session(c)
    if completed:
        SelfAssessment.objects.filter(pk=session.pk).update(status=status)
        session.refresh_from_db()
    return session


# A collecting session spanning the municipality: the facilitating sector leader reads it;
# the invited elected official answers it but reads nothing until the conclusion.
GROUP_SESSION_READERS = only({"sector_leader": 200}, others=404)
GROUP_SESSION_ANSWERERS = only({"sector_leader": 200, "elected_official": 200}, others=404)
GROUP_CONCLUSION_READERS = only({"sector_leader": 200, "elected_official": 200}, others=404)

# Tool pages: every member reads; the sector leader alone changes; Nabovik finds nothing.
TOOL_MANAGERS = only({"sector_leader": 200, "other_municipality": 404}, others=403)
# The school's own assessments: see UNIT_DRAFT_READERS / UNIT_DRAFT_WRITERS above.
UNIT_ASSESSMENT_HISTORY = only(
    {"sector_leader": 200, "unit_leader": 200, "staff": 200, "other_municipality": 404},
    others=403,
)
PARTICIPATION_MANAGERS = only(
    {"sector_leader": 200, "data_admin": 200, "other_municipality": 404}, others=403
)
# --- end quality tools, self-assessment and fortellinger: objects


# --- competence: objects the rows below use, built once per test (get_or_create) ---
def _comp(c):
    """Solvik's activity for schools with a future session, a staff registration that was
    attended, a scheme, a survey, an event and the staff member's feed; and Nabovik's
    activity, whose title no Solvik page may show."""
    import datetime

    from django.utils import timezone

    from competence.models import (
        Activity,
        CalendarEvent,
        FeedToken,
        FundingScheme,
        NeedSurvey,
        Registration,
        Session,
    )

    found = getattr(c, "_competence", None)
    if found is not None:
        return found
    start = timezone.now() + datetime.timedelta(days=20)
    activity = Activity.objects.create(
        municipality=c.municipality,
        school_year=2026,
        form="kurs",
        title="Solvik-kurs om lesing",
        target_kinds=["skole"],
    )
    session = Session.objects.create(
        activity=activity, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    held = Session.objects.create(
        activity=activity,
        starts_at=start - datetime.timedelta(days=40),
        ends_at=start - datetime.timedelta(days=40, hours=-2),
    )
    registration = Registration.objects.create(
        session=held, user=c["staff"], status="pameldt", attended=True
    )
    other = Activity.objects.create(
        municipality=c.other_municipality,
        school_year=2026,
        form="kurs",
        title="Nabovik-kurs i hemmelighet",
    )
    Session.objects.create(
        activity=other, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    found = {
        "activity": activity,
        "session": session,
        "registration": registration,
        "scheme": FundingScheme.objects.create(municipality=c.municipality, name="Dekomp"),
        "survey": NeedSurvey.objects.create(
            municipality=c.municipality,
            name="Kartlegging 2026",
            conducted_on=datetime.date(2026, 11, 1),
            school_year=2026,
        ),
        "event": CalendarEvent.objects.create(
            municipality=c.municipality,
            kind="utviklingsplan",
            title="Frist for utviklingsplaner",
            starts_on=datetime.date(2026, 10, 15),
        ),
        "feed": FeedToken.objects.create(
            user=c["staff"], municipality=c.municipality, scope="personlig"
        ),
    }
    object.__setattr__(c, "_competence", found)
    return found


def _comp_url(c, name, *args):
    """A page that lists rows: build the objects (Nabovik's too) before asking for it."""
    _comp(c)
    return reverse(name, args=args)


# URLs whose secret token is the credential (calendar clients send no session): whoever
# holds the token reads the owner's feed, so the foreign-rows check does not apply.
BEARER_URLS = {"calendar feed"}

SECTOR_WRITES = only({"sector_leader": 200, "other_municipality": 404}, others=403)


def _training(c):
    """Solvik's BTI requirement, met by attending the Solvik course (the staff member
    did), and Nabovik's, whose name no Solvik page may show."""
    from competence.models import Theme, TrainingRequirement

    found = TrainingRequirement.objects.filter(municipality=c.municipality).first()
    if found is not None:
        return found
    found = TrainingRequirement.objects.create(
        municipality=c.municipality, name="BTI-modellen", roles=["staff", "unit_leader"]
    )
    found.themes.add(Theme.objects.create(municipality=c.municipality, name="BTI"))
    found.activities.add(_comp(c)["activity"])
    TrainingRequirement.objects.create(
        municipality=c.other_municipality, name="Naboviks hemmelige krav", roles=["staff"]
    )
    return found


def _training_url(c, name):
    _training(c)
    return reverse(name)


# Names of staff by unit: the sector leader and the BTI coordinator everywhere, a unit
# leader for their own units.
TRAINING_READERS = only(
    {"sector_leader": 200, "unit_leader": 200, "bti_coordinator": 200}, others=403
)
# --- end competence: objects


# --- indicators: objects the rows below use, built once per test ---
def _ind(c):
    """A published indicator with the country's and Solvik's values, a batch Solvik's data
    admin has previewed, Solvik's target and commentary, and Nabovik's commentary, which no
    Solvik page may show (and the reverse)."""
    import datetime

    from indicators.models import (
        Commentary,
        ImportBatch,
        Indicator,
        Observation,
        Place,
        Source,
        Target,
    )

    found = getattr(c, "_indicators", None)
    if found is not None:
        return found
    source = Source.objects.create(code="udir", name="Utdanningsdirektoratet")
    indicator = Indicator.objects.create(
        source=source, code="udir-mobbing", name="Mobbing på skolen", higher_is_better=False
    )
    batch = ImportBatch.objects.create(
        uploaded_by=c["data_admin"],
        municipality=c.municipality,
        file_name="solvik-mobbing.csv",
        sha256="0" * 64,
        status="forhandsvisning",
    )
    for code, level, name, value in (
        ("0", "land", "Hele landet", "6.5"),
        ("9901", "kommune", "Solvik", "5.1"),
    ):
        place = Place.objects.create(level=level, code=code, name=name)
        Observation.objects.create(
            indicator=indicator,
            place=place,
            period_label="2024/25",
            period_start=datetime.date(2024, 8, 1),
            period_end=datetime.date(2025, 7, 31),
            value=value,
            batch=batch,
        )
    Target.objects.create(indicator=indicator, municipality=c.municipality, year=2025, value=4)
    Commentary.objects.create(
        indicator=indicator, municipality=c.municipality, text="Solvik-kommentar om mobbing"
    )
    Commentary.objects.create(
        indicator=indicator,
        municipality=c.other_municipality,
        text="Nabovik-kommentar om mobbing",
    )
    found = {"indicator": indicator, "batch": batch}
    object.__setattr__(c, "_indicators", found)
    return found


def _ind_url(c, name, *args):
    _ind(c)
    return reverse(name, args=args)


OPEN = expect(200, anonymous=200, no_membership=200)
# --- end indicators: objects


# --- BTI: objects the rows below use (tests/bti/helpers.py), built once per test. The
# staff member holds the log, the unit leader leads the holding unit (with consent); the
# log's team otherwise is a nurse, and a handover to the kindergarten is pending.
def _bti(c):
    from tests.bti.helpers import build_bti

    return build_bti(c)


def _bti_unborn(c):
    from tests.bti.helpers import build_unborn

    return build_unborn(c)


def _bti_url(name, attr=None, *more):
    def build(c):
        bti = _bti(c)
        if attr is None:
            return reverse(name)
        args = [getattr(bti, attr).pk] + [getattr(bti, m).pk for m in more]
        return reverse(name, args=args)

    return build


# People who read BTI logs must be TOTP-verified: the matrix verifies them with a real code.
BTI_VERIFIED = {"staff", "unit_leader"}
BTI_USERS = only({"staff": 200, "unit_leader": 200}, others=403)
BTI_READERS = only({"staff": 200, "unit_leader": 200}, others=404)
BTI_WRITERS = only({"staff": 200, "unit_leader": 403}, others=404)
BTI_LEADER = only({"staff": 403, "unit_leader": 200}, others=404)
BTI_STATISTICS = only(
    {"sector_leader": 200, "bti_coordinator": 200, "elected_official": 200}, others=403
)


# The handbook: one step with one tool in Solvik (tests/bti/test_handbook.py makes them).
def _handbook(c):
    from btitracker.models import HandbookStep
    from tests.bti.test_handbook import make_step, make_tool

    step = HandbookStep.objects.filter(municipality=c.municipality).first()
    if step is None:
        step = make_step(c, tools=[make_tool(c)])
    return step


def _handbook_url(name, attr=None):
    def build(c):
        step = _handbook(c)
        if attr is None:
            return reverse(name)
        target = step if attr == "step" else step.tools.get()
        return reverse(name, args=[target.pk])

    return build


HANDBOOK_WRITER = only({"bti_coordinator": 200}, others=403)
HANDBOOK_OBJECT_WRITER = only({"bti_coordinator": 200, "other_municipality": 404}, others=403)
# The coordinator's follow-up per unit: not elected officials (they read the statistics).
BTI_FOLLOWUP = only({"sector_leader": 200, "bti_coordinator": 200}, others=403)
# --- end BTI: objects


# --- consultation meetings: objects (tests/bti/consultation_helpers.py), built once per
# test. The coordinator sets schedules up; the school's leader reads them and writes the
# protocol; the school's staff member answers for one action of the held meeting.
def _consult(c):
    from tests.bti.consultation_helpers import build_consultations

    return build_consultations(c)


def _consult_url(name, attr=None):
    def build(c):
        consult = _consult(c)
        if attr is None:
            return reverse(name)
        return reverse(name, args=[getattr(consult, attr).pk])

    return build


CONSULT_USERS = only({"bti_coordinator": 200, "unit_leader": 200, "staff": 200}, others=403)
CONSULT_READERS = only({"bti_coordinator": 200, "unit_leader": 200}, others=404)
# --- end consultation meetings: objects


# --- the directory of services: objects the rows below use (tests/bti/directory.py) ---
def _dir(c):
    from tests.bti.directory import build_directory

    return build_directory(c)


def _dir_url(name, attr=None, public=False):
    def build(c):
        directory = _dir(c)
        args = [] if attr is None else [getattr(directory, attr).pk]
        if public:
            args = [c.municipality.number, *args]
        return reverse(name, args=args)

    return build


DIRECTORY_MANAGER = only({"bti_coordinator": 200}, others=403)
# --- end directory of services: objects


# --- status reports: objects the rows below use, built once per test ---
# The access matrices test who reaches what, not the layout (tests/reports reads the PDFs
# back): each test process lays the cast's report out once as a draft and once as final,
# and every later cast's rows store those real files beside their own, real snapshots.
_LAID_OUT: dict[bool, bytes] = {}


def _lay_out_once(template_name, context, **options) -> bytes:
    from documents.pdf import render_pdf

    draft = bool(context.get("draft"))
    if draft not in _LAID_OUT:
        _LAID_OUT[draft] = render_pdf(template_name, context, **options)
    return _LAID_OUT[draft]


def _rep(c):
    """Solvik's published report and its draft (the next version), both rendered from the
    plan cast's quality plan; an elected official finds the draft nowhere."""
    from reports.services import status_reports as services

    found = getattr(c, "_reports", None)
    if found is not None:
        return found
    year = c.quality_plan.period_start
    write_assessments(plan=c.quality_plan, year=year, user=c["sector_leader"])
    published = services.status_report_order(
        user=c["sector_leader"], quality_plan=c.quality_plan, year=year
    )
    services.status_report_render(report_id=published.pk, render=_lay_out_once)
    services.status_report_publish(report=published, user=c["sector_leader"])
    # Publishing queues the final render; the worker's half runs here.
    services.status_report_render(report_id=published.pk, render=_lay_out_once)
    published.refresh_from_db()
    draft = services.status_report_version_create(report=published, user=c["sector_leader"])
    services.status_report_render(report_id=draft.pk, render=_lay_out_once)
    found = {"published": published, "draft": draft}
    object.__setattr__(c, "_reports", found)
    return found


def _rep_url(c, name, which):
    return reverse(name, args=[_rep(c)[which].pk])


def _assess(c):
    """The administration's assessment of Solvik's report for the year after the report
    rows above (so their final texts leave these in draft): the unit leader is invited to
    write the first area's."""
    from reports.services import assessments as assessment_services

    year = c.quality_plan.period_start + 1
    report_year = assessment_services.assessments_start(quality_plan=c.quality_plan, year=year)
    area = report_year.assessments.exclude(area=None).order_by("area__order", "pk").first()
    if not area.writers.filter(user=c["unit_leader"]).exists():
        assessment_services.assessment_writer_add(
            assessment=area, user=c["sector_leader"], invitee=c["unit_leader"]
        )
    return {"year": report_year, "area": area}


def _assess_url(c, name, which="area"):
    return reverse(name, args=[_assess(c)[which].pk])


# The assessment while it is written: the sector leader and the invited writer (our unit
# leader); for everyone else it does not exist.
ASSESSMENT_WRITERS = only({"sector_leader": 200, "unit_leader": 200}, others=404)


# Every member of Solvik reads a published report; the draft is the sector leader's.
REPORT_READERS = expect(200, other_municipality=404)
DRAFT_READERS = only({"sector_leader": 200}, others=404)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """The reports' PDFs go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _follow_up(c):
    """A follow-up item on the published report's year, owned by the unit leader."""
    import datetime

    from reports.models import FollowUpItem
    from reports.services import council
    from reports.services.report_years import report_year_open

    published = _rep(c)["published"]
    report_year = report_year_open(quality_plan=published.quality_plan, year=published.year)
    return FollowUpItem.objects.filter(report_year=report_year).first() or (
        council.follow_up_item_create(
            report_year=report_year,
            user=c["sector_leader"],
            title="Plan for lesing",
            description="",
            owner=c["unit_leader"],
            due_on=datetime.date(2026, 3, 1),
        )
    )


def _question(c):
    """An elected official's question on the published report."""
    from reports.models import Question
    from reports.services import council

    return Question.objects.first() or council.question_submit(
        report=_rep(c)["published"], user=c["elected_official"], text="Hvorfor?", notify=False
    )


LEADER_ONLY_IN_SOLVIK = only({"sector_leader": 200, "other_municipality": 404}, others=403)
# --- end status reports: objects

# (name, url builder taking the plan cast (tests/conftest.py), expected status per persona)
MATRIX = [
    ("home", lambda c: reverse("home"), expect(200)),
    ("healthz", lambda c: reverse("healthz"), expect(200, anonymous=200, no_membership=200)),
    ("login", lambda c: reverse("login"), expect(302, anonymous=200, no_membership=302)),
    ("password change", lambda c: reverse("password_change"), expect(200, no_membership=200)),
    (
        "password reset",
        lambda c: reverse("password_reset"),
        expect(200, anonymous=200, no_membership=200),
    ),
    ("unit list", lambda c: reverse("plans:unit-list"), expect(200)),
    (
        "own unit",
        lambda c: reverse("plans:unit-detail", args=[c.school.pk]),
        expect(200, other_municipality=404),
    ),
    (
        "other municipality's unit",
        lambda c: reverse("plans:unit-detail", args=[c.other_unit.pk]),
        expect(404, other_municipality=200),
    ),
    ("profile", lambda c: reverse("plans:profile"), expect(200)),
    ("admin index", lambda c: reverse("admin:index"), ADMIN_ONLY),
    ("admin units", lambda c: reverse("admin:plans_unit_changelist"), ADMIN_ONLY),
    (
        "admin unit",
        lambda c: reverse("admin:plans_unit_change", args=[c.school.pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    ("admin unit import", lambda c: reverse("admin:plans_unit_import"), ADMIN_ONLY),
    ("admin unit export", lambda c: reverse("admin:plans_unit_export"), ADMIN_ONLY),
    ("admin memberships", lambda c: reverse("admin:plans_membership_changelist"), ADMIN_ONLY),
    ("admin membership import", lambda c: reverse("admin:plans_membership_import"), ADMIN_ONLY),
    ("admin users", lambda c: reverse("admin:auth_user_changelist"), ADMIN_ONLY),
    (
        "admin user",
        lambda c: reverse("admin:auth_user_change", args=[c["staff"].pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    (
        "admin municipality",
        lambda c: reverse("admin:plans_municipality_change", args=[c.municipality.pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    ("admin add municipality", lambda c: reverse("admin:plans_municipality_add"), only({}, 403)),
    # Plans, their history and reminders are shown in the admin to superusers only.
    ("admin quality plans", lambda c: reverse("admin:plans_qualityplan_changelist"), only({}, 403)),
    (
        "admin quality plan",
        lambda c: reverse("admin:plans_qualityplan_change", args=[c.quality_plan.pk]),
        only({}, 403),
    ),
    ("admin unit plans", lambda c: reverse("admin:plans_unitplan_changelist"), only({}, 403)),
    ("admin plan history", lambda c: reverse("admin:plans_planchange_changelist"), only({}, 403)),
    ("admin reminders", lambda c: reverse("admin:plans_reminderdigest_changelist"), only({}, 403)),
    # --- quality plan and framework ---
    # c.quality_plan is adopted: its edit pages answer 403 even to the sector leader.
    ("quality plan list", lambda c: reverse("plans:quality-plan-list"), expect(200)),
    (
        "quality plan detail",
        lambda c: reverse("plans:quality-plan-detail", args=[c.quality_plan.pk]),
        expect(200, other_municipality=404),
    ),
    (
        "quality plan compare",
        lambda c: (
            reverse("plans:quality-plan-compare") + f"?a={c.quality_plan.pk}&b={c.quality_plan.pk}"
        ),
        expect(200, other_municipality=404),
    ),
    (
        "quality plan edit",
        lambda c: reverse("plans:quality-plan-edit", args=[c.quality_plan.pk]),
        expect(403, other_municipality=404),
    ),
    (
        "quality plan adopt",
        lambda c: reverse("plans:quality-plan-adopt", args=[c.quality_plan.pk]),
        expect(403, other_municipality=404),
    ),
    (
        "quality plan revise",
        lambda c: reverse("plans:quality-plan-revise", args=[c.quality_plan.pk]),
        expect(403, sector_leader=405, other_municipality=404),
    ),
    (
        "quality plan history",
        lambda c: reverse("plans:quality-plan-history", args=[c.quality_plan.pk]),
        expect(403, sector_leader=200, other_municipality=404),
    ),
    (
        "quality plan part add",
        lambda c: reverse("plans:quality-plan-part-add", args=[c.quality_plan.pk, "value"]),
        expect(403, other_municipality=404),
    ),
    (
        "quality plan part edit",
        lambda c: reverse(
            "plans:quality-plan-part-edit", args=[c.quality_plan.pk, "area", c.areas[0].pk]
        ),
        expect(403, other_municipality=404),
    ),
    (
        "quality plan part delete",
        lambda c: reverse(
            "plans:quality-plan-part-delete",
            args=[c.quality_plan.pk, "component", c.components[0].pk],
        ),
        expect(403, other_municipality=404),
    ),
    ("framework", lambda c: reverse("plans:framework"), expect(200)),
    (
        "framework area",
        lambda c: reverse("plans:framework-area", args=[c.areas[0].pk]),
        expect(200, other_municipality=404),
    ),
    (
        "framework component",
        lambda c: reverse("plans:framework-component", args=[c.components[0].pk]),
        expect(200, other_municipality=404),
    ),
    # The trace of an area: every member of the municipality, each in their own scope.
    (
        "trace",
        lambda c: reverse("plans:trace", args=[c.areas[0].pk]),
        expect(200, other_municipality=404),
    ),
    # --- end quality plan and framework ---
    # --- unit development plans ---
    ("unit plan list", lambda c: reverse("plans:unit-plan-list"), expect(200)),
    (
        "unit plan create (POST only)",
        lambda c: reverse("plans:unit-plan-create", args=[c.school.pk]),
        expect(405),
    ),
    (
        "own unit's draft plan",
        lambda c: reverse("plans:unit-plan-detail", args=[c.school_plan.pk]),
        UNIT_DRAFT_READERS,
    ),
    (
        "another unit's approved plan",
        lambda c: reverse("plans:unit-plan-detail", args=[c.kindergarten_plan.pk]),
        expect(200, elected_official=302, other_municipality=404),
    ),
    (
        "another municipality's plan",
        lambda c: reverse("plans:unit-plan-detail", args=[c.other_plan.pk]),
        expect(404, other_municipality=200),
    ),
    (
        "approved plan summary",
        lambda c: reverse("plans:unit-plan-summary", args=[c.kindergarten_plan.pk]),
        expect(200, other_municipality=404),
    ),
    (
        "draft plan summary",
        lambda c: reverse("plans:unit-plan-summary", args=[c.school_plan.pk]),
        expect(404),
    ),
    (
        "edit own draft plan",
        lambda c: reverse("plans:unit-plan-edit", args=[c.school_plan.pk]),
        UNIT_DRAFT_WRITERS,
    ),
    (
        "edit submitted plan",
        lambda c: reverse("plans:unit-plan-edit", args=[c.sfo_plan.pk]),
        only({"sector_leader": 403, "unit_leader": 403, "staff": 403}, others=404),
    ),
    (
        "draft plan history",
        lambda c: reverse("plans:unit-plan-history", args=[c.school_plan.pk]),
        UNIT_DRAFT_READERS,
    ),
    (
        "submit plan (POST only)",
        lambda c: reverse("plans:unit-plan-submit", args=[c.school_plan.pk]),
        expect(405),
    ),
    (
        "review submitted plan",
        lambda c: reverse("plans:unit-plan-review", args=[c.sfo_plan.pk]),
        only({"sector_leader": 200, "unit_leader": 403, "staff": 403}, others=404),
    ),
    (
        "review draft plan",
        lambda c: reverse("plans:unit-plan-review", args=[c.school_plan.pk]),
        only({"sector_leader": 403, "unit_leader": 403, "staff": 403}, others=404),
    ),
    (
        "evaluate another unit's plan",
        lambda c: reverse("plans:unit-plan-evaluate", args=[c.kindergarten_plan.pk]),
        expect(403, other_municipality=404),
    ),
    (
        "add measure to own draft",
        lambda c: reverse("plans:unit-plan-part-add", args=[c.school_plan.pk, "measure"]),
        UNIT_DRAFT_WRITERS,
    ),
    (
        "edit measure in own draft",
        lambda c: reverse(
            "plans:unit-plan-part-edit",
            args=[c.school_plan.pk, "measure", c.school_plan.measures.get().pk],
        ),
        UNIT_DRAFT_WRITERS,
    ),
    (
        "delete measure in own draft",
        lambda c: reverse(
            "plans:unit-plan-part-delete",
            args=[c.school_plan.pk, "measure", c.school_plan.measures.get().pk],
        ),
        UNIT_DRAFT_WRITERS,
    ),
    (
        "another municipality's measure through own plan",
        lambda c: reverse(
            "plans:unit-plan-part-edit",
            args=[c.school_plan.pk, "measure", c.other_plan.measures.get().pk],
        ),
        only({"unit_leader": 404, "sector_leader": 403, "staff": 403}, others=404),
    ),
    # --- end unit development plans ---
    # --- quality tools, self-assessment and fortellinger ---
    ("quality tool list", lambda c: reverse("plans:quality-tool-list"), expect(200)),
    (
        "quality tool create",
        lambda c: reverse("plans:quality-tool-create"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "quality tool detail",
        lambda c: reverse("plans:quality-tool-detail", args=[_tool(c).pk]),
        expect(200, other_municipality=404),
    ),
    (
        "quality tool statement add",
        lambda c: reverse("plans:quality-tool-statement-add", args=[_tool(c).pk]),
        TOOL_MANAGERS,
    ),
    (
        "quality tool statement edit",
        lambda c: reverse(
            "plans:quality-tool-statement-edit", args=[_tool(c).pk, _statement(c).pk]
        ),
        TOOL_MANAGERS,
    ),
    (
        "quality tool statement delete",
        lambda c: reverse(
            "plans:quality-tool-statement-delete", args=[_tool(c).pk, _statement(c).pk]
        ),
        TOOL_MANAGERS,
    ),
    ("self-assessment list", lambda c: reverse("plans:self-assessment-list"), expect(200)),
    (
        "self-assessment sector",
        lambda c: reverse("plans:self-assessment-sector"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "self-assessment unit history",
        lambda c: reverse("plans:self-assessment-unit", args=[c.school.pk]),
        UNIT_ASSESSMENT_HISTORY,
    ),
    (
        "self-assessment start (POST only)",
        lambda c: reverse("plans:self-assessment-start", args=[c.school.pk]),
        only({"unit_leader": 405, "other_municipality": 404}, others=403),
    ),
    (
        "self-assessment detail",
        lambda c: reverse("plans:self-assessment-detail", args=[_assessment(c).pk]),
        UNIT_DRAFT_READERS,
    ),
    (
        "self-assessment edit",
        lambda c: reverse("plans:self-assessment-edit", args=[_assessment(c).pk]),
        UNIT_DRAFT_WRITERS,
    ),
    (
        "self-assessment group start",
        lambda c: reverse("plans:self-assessment-group-start"),
        only({"sector_leader": 200, "unit_leader": 200}, others=403),
    ),
    (
        "self-assessment group sessions",
        lambda c: reverse("plans:self-assessment-sessions"),
        expect(200),
    ),
    (
        "self-assessment group detail (collecting)",
        lambda c: reverse("plans:self-assessment-detail", args=[_group_session(c).pk]),
        GROUP_SESSION_READERS,
    ),
    (
        "self-assessment group answer",
        lambda c: reverse("plans:self-assessment-answer", args=[_group_session(c).pk]),
        GROUP_SESSION_ANSWERERS,
    ),
    (
        "self-assessment group close (POST only)",
        lambda c: reverse("plans:self-assessment-close", args=[_group_session(c).pk]),
        only({"sector_leader": 405}, others=404),
    ),
    (
        "self-assessment group conclusion (completed)",
        lambda c: reverse(
            "plans:self-assessment-detail", args=[_group_session(c, completed=True).pk]
        ),
        GROUP_CONCLUSION_READERS,
    ),
    ("participation list", lambda c: reverse("plans:participation-list"), expect(200)),
    (
        "participation add",
        lambda c: reverse("plans:participation-add"),
        only(
            {
                "sector_leader": 200,
                "unit_leader": 200,
                "data_admin": 200,
                "other_municipality": 200,
            },
            others=403,
        ),
    ),
    (
        "participation edit (no consent)",
        lambda c: reverse("plans:participation-edit", args=[_input(c, False).pk]),
        {**PARTICIPATION_MANAGERS, "elected_official": 404},
    ),
    (
        "participation delete",
        lambda c: reverse("plans:participation-delete", args=[_input(c, True).pk]),
        PARTICIPATION_MANAGERS,
    ),
    ("journey list", lambda c: reverse("plans:journey-list"), expect(200)),
    (
        "journey add",
        lambda c: reverse("plans:journey-add"),
        only({"sector_leader": 200, "data_admin": 200, "other_municipality": 200}, others=403),
    ),
    (
        "journey detail",
        lambda c: reverse("plans:journey-detail", args=[_journey(c, True).pk]),
        expect(200, other_municipality=404),
    ),
    (
        "journey detail (no consent)",
        lambda c: reverse("plans:journey-detail", args=[_journey(c, False).pk]),
        expect(200, elected_official=404, other_municipality=404),
    ),
    (
        "journey edit",
        lambda c: reverse("plans:journey-edit", args=[_journey(c, True).pk]),
        PARTICIPATION_MANAGERS,
    ),
    (
        "admin participation inputs",
        lambda c: reverse("admin:plans_participationinput_changelist"),
        ADMIN_ONLY,
    ),
    (
        "admin participation input",
        lambda c: reverse("admin:plans_participationinput_change", args=[_input(c, False).pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    (
        "admin participation import",
        lambda c: reverse("admin:plans_participationinput_import"),
        ADMIN_ONLY,
    ),
    (
        "admin participation export",
        lambda c: reverse("admin:plans_participationinput_export"),
        ADMIN_ONLY,
    ),
    ("admin user journeys", lambda c: reverse("admin:plans_userjourney_changelist"), ADMIN_ONLY),
    (
        "admin user journey",
        lambda c: reverse("admin:plans_userjourney_change", args=[_journey(c, True).pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    ("admin quality tools", lambda c: reverse("admin:plans_qualitytool_changelist"), ADMIN_ONLY),
    (
        "admin quality tool",
        lambda c: reverse("admin:plans_qualitytool_change", args=[_tool(c).pk]),
        only({"data_admin": 200, "other_municipality": 302}, others=403),
    ),
    (
        "admin self-assessments",
        lambda c: reverse("admin:plans_selfassessment_changelist"),
        only({}, others=403),
    ),
    # --- end quality tools, self-assessment and fortellinger ---
    # --- sector dashboard ---
    ("dashboard", lambda c: reverse("plans:dashboard"), only({"sector_leader": 200}, others=403)),
    (
        "dashboard with year",
        lambda c: reverse("plans:dashboard") + "?year=1999",
        only({"sector_leader": 200}, others=403),
    ),
    # --- end sector dashboard ---
    # --- competence ---
    ("competence table", lambda c: _comp_url(c, "competence:activity-table"), expect(200)),
    (
        "competence table csv",
        lambda c: _comp_url(c, "competence:activity-export", "csv"),
        expect(200),
    ),
    (
        "competence budget",
        lambda c: _comp_url(c, "competence:budget"),
        only({"sector_leader": 200, "elected_official": 200}, others=403),
    ),
    (
        "funding schemes",
        lambda c: _comp_url(c, "competence:funding-list"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "funding scheme add",
        lambda c: _comp_url(c, "competence:funding-add"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "funding scheme edit",
        lambda c: reverse("competence:funding-edit", args=[_comp(c)["scheme"].pk]),
        SECTOR_WRITES,
    ),
    ("competence evaluation", lambda c: _comp_url(c, "competence:evaluation"), expect(200)),
    (
        "competence evaluation csv",
        lambda c: _comp_url(c, "competence:evaluation-export", "csv"),
        only({"sector_leader": 200, "elected_official": 200}, others=403),
    ),
    ("my activities", lambda c: _comp_url(c, "competence:mine"), expect(200, elected_official=403)),
    (
        "unit attendance",
        lambda c: _comp_url(c, "competence:unit-attendance"),
        only({"sector_leader": 200, "unit_leader": 200}, others=403),
    ),
    (
        "activity add",
        lambda c: _comp_url(c, "competence:activity-add"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "activity detail",
        lambda c: reverse("competence:activity-detail", args=[_comp(c)["activity"].pk]),
        expect(200, other_municipality=404),
    ),
    (
        "activity edit",
        lambda c: reverse("competence:activity-edit", args=[_comp(c)["activity"].pk]),
        SECTOR_WRITES,
    ),
    (
        "activity delete",
        lambda c: reverse("competence:activity-delete", args=[_comp(c)["activity"].pk]),
        SECTOR_WRITES,
    ),
    (
        "session add",
        lambda c: reverse("competence:session-add", args=[_comp(c)["activity"].pk]),
        SECTOR_WRITES,
    ),
    (
        "session edit",
        lambda c: reverse("competence:session-edit", args=[_comp(c)["session"].pk]),
        SECTOR_WRITES,
    ),
    (
        "session delete",
        lambda c: reverse("competence:session-delete", args=[_comp(c)["session"].pk]),
        SECTOR_WRITES,
    ),
    # POST-only actions answer 405 to a GET from those who may act, after the checks.
    (
        "session register",
        lambda c: reverse("competence:session-register", args=[_comp(c)["session"].pk]),
        expect(405, elected_official=403, other_municipality=404),
    ),
    (
        "session attendance",
        lambda c: reverse("competence:session-attendance", args=[_comp(c)["session"].pk]),
        SECTOR_WRITES,
    ),
    (
        "registration cancel",
        lambda c: reverse("competence:registration-cancel", args=[_comp(c)["registration"].pk]),
        only({"sector_leader": 405, "staff": 405, "unit_leader": 403}, others=404),
    ),
    (
        "registration feedback",
        lambda c: reverse("competence:registration-feedback", args=[_comp(c)["registration"].pk]),
        only({"sector_leader": 403, "staff": 200, "unit_leader": 403}, others=404),
    ),
    ("needs", lambda c: _comp_url(c, "competence:needs"), expect(200)),
    (
        "needs import",
        lambda c: _comp_url(c, "competence:needs-import"),
        only({"sector_leader": 200, "data_admin": 200, "other_municipality": 200}, others=403),
    ),
    (
        "needs survey delete",
        lambda c: reverse("competence:needs-delete", args=[_comp(c)["survey"].pk]),
        only({"sector_leader": 200, "data_admin": 200, "other_municipality": 404}, others=403),
    ),
    ("annual wheel", lambda c: _comp_url(c, "competence:wheel"), expect(200)),
    (
        "event add",
        lambda c: _comp_url(c, "competence:event-add"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "event edit",
        lambda c: reverse("competence:event-edit", args=[_comp(c)["event"].pk]),
        SECTOR_WRITES,
    ),
    (
        "event delete",
        lambda c: reverse("competence:event-delete", args=[_comp(c)["event"].pk]),
        SECTOR_WRITES,
    ),
    ("calendar feeds", lambda c: _comp_url(c, "competence:feeds"), expect(200)),
    (
        "calendar feed revoke",
        lambda c: reverse("competence:feed-revoke", args=[_comp(c)["feed"].pk]),
        only({"staff": 405}, others=404),
    ),
    # The feed's secret token is its credential: calendar clients send no session.
    (
        "calendar feed",
        lambda c: reverse("competence:ical", args=[_comp(c)["feed"].token]),
        expect(200, anonymous=200, no_membership=200),
    ),
    # Mandatory training (the BTI model).
    ("bti training", lambda c: _training_url(c, "competence:bti-training"), TRAINING_READERS),
    (
        "bti training csv",
        lambda c: _training_url(c, "competence:bti-training-export"),
        TRAINING_READERS,
    ),
    (
        "training requirement add",
        lambda c: _training_url(c, "competence:training-requirement-add"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "training requirement edit",
        lambda c: reverse("competence:training-requirement-edit", args=[_training(c).pk]),
        SECTOR_WRITES,
    ),
    (
        "admin activities",
        lambda c: reverse("admin:competence_activity_changelist"),
        only({}, others=403),
    ),
    # --- end competence ---
    # --- indicators ---
    ("indicator list", lambda c: _ind_url(c, "indicators:indicator-list"), expect(200)),
    ("indicator findings", lambda c: _ind_url(c, "indicators:findings"), expect(200)),
    (
        "indicator detail",
        lambda c: reverse("indicators:indicator-detail", args=[_ind(c)["indicator"].pk]),
        expect(200),
    ),
    (
        "indicator export",
        lambda c: reverse("indicators:indicator-export", args=[_ind(c)["indicator"].pk, "csv"]),
        expect(200),
    ),
    (
        "indicator edit",
        lambda c: reverse("indicators:indicator-edit", args=[_ind(c)["indicator"].pk]),
        only({"sector_leader": 200, "data_admin": 200, "other_municipality": 200}, others=403),
    ),
    (
        "indicator targets",
        lambda c: reverse("indicators:indicator-targets", args=[_ind(c)["indicator"].pk]),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "indicator commentary",
        lambda c: reverse("indicators:indicator-commentary", args=[_ind(c)["indicator"].pk]),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "import list",
        lambda c: _ind_url(c, "indicators:import-list"),
        only({"sector_leader": 200, "data_admin": 200, "other_municipality": 200}, others=403),
    ),
    (
        "import upload",
        lambda c: _ind_url(c, "indicators:import-upload"),
        only({"data_admin": 200, "other_municipality": 200}, others=403),
    ),
    (
        "import detail",
        lambda c: reverse("indicators:import-detail", args=[_ind(c)["batch"].pk]),
        only({"sector_leader": 200, "data_admin": 200}, others=404),
    ),
    # A previewed batch is done: the progress URL sends the page back to the preview.
    (
        "import progress",
        lambda c: reverse("indicators:import-progress", args=[_ind(c)["batch"].pk]),
        only({"sector_leader": 302, "data_admin": 302}, others=404),
    ),
    (
        "import mapping",
        lambda c: reverse("indicators:import-mapping", args=[_ind(c)["batch"].pk]),
        only({"sector_leader": 403, "data_admin": 302}, others=404),
    ),
    (
        "import commit",
        lambda c: reverse("indicators:import-commit", args=[_ind(c)["batch"].pk]),
        only({"sector_leader": 403, "data_admin": 405}, others=404),
    ),
    (
        "import discard",
        lambda c: reverse("indicators:import-discard", args=[_ind(c)["batch"].pk]),
        only({"sector_leader": 403, "data_admin": 405}, others=404),
    ),
    (
        "import rollback",
        lambda c: reverse("indicators:import-rollback", args=[_ind(c)["batch"].pk]),
        only({"sector_leader": 403, "data_admin": 405}, others=404),
    ),
    # The open API serves published public statistics to anyone.
    ("api docs", lambda c: _ind_url(c, "indicators:api-docs"), OPEN),
    ("api indicators", lambda c: _ind_url(c, "indicators:api-indicators"), OPEN),
    (
        "api indicator",
        lambda c: reverse("indicators:api-indicator", args=[_ind(c)["indicator"].pk]),
        OPEN,
    ),
    (
        "api observations",
        lambda c: reverse("indicators:api-observations", args=[_ind(c)["indicator"].pk]),
        OPEN,
    ),
    # --- end indicators ---
    # --- status reports ---
    ("report list", lambda c: reverse("reports:report-list"), expect(200)),
    (
        "report order",
        lambda c: reverse("reports:report-order"),
        only({"sector_leader": 200}, others=403),
    ),
    # Each user's own municipality's mapping: the sector leader's alone.
    (
        "report law topics",
        lambda c: reverse("reports:law-topics"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "report logo upload",
        lambda c: reverse("reports:branding-edit"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "report detail (published)",
        lambda c: _rep_url(c, "reports:report-detail", "published"),
        REPORT_READERS,
    ),
    (
        "report detail (draft)",
        lambda c: _rep_url(c, "reports:report-detail", "draft"),
        DRAFT_READERS,
    ),
    (
        "report read (published)",
        lambda c: _rep_url(c, "reports:report-read", "published"),
        REPORT_READERS,
    ),
    ("report read (draft)", lambda c: _rep_url(c, "reports:report-read", "draft"), DRAFT_READERS),
    (
        "report pdf (published)",
        lambda c: _rep_url(c, "reports:report-pdf", "published"),
        REPORT_READERS,
    ),
    ("report pdf (draft)", lambda c: _rep_url(c, "reports:report-pdf", "draft"), DRAFT_READERS),
    # A finished report's progress URL sends the page back to the report.
    (
        "report progress",
        lambda c: _rep_url(c, "reports:report-progress", "draft"),
        only({"sector_leader": 302}, others=404),
    ),
    (
        "report publish",
        lambda c: _rep_url(c, "reports:report-publish", "draft"),
        only({"sector_leader": 405}, others=404),
    ),
    (
        "report retry",
        lambda c: _rep_url(c, "reports:report-retry", "draft"),
        only({"sector_leader": 405}, others=404),
    ),
    (
        "report new version",
        lambda c: _rep_url(c, "reports:report-new-version", "published"),
        expect(403, sector_leader=405, other_municipality=404),
    ),
    # The council's treatment: every reader asks; the sector leader records and answers;
    # the item's owner (the unit leader) updates its status.
    (
        "treatment edit",
        lambda c: _rep_url(c, "reports:treatment-edit", "published"),
        LEADER_ONLY_IN_SOLVIK,
    ),
    (
        "follow-up create",
        lambda c: _rep_url(c, "reports:follow-up-create", "published"),
        LEADER_ONLY_IN_SOLVIK,
    ),
    (
        "follow-up edit",
        lambda c: reverse("reports:follow-up-edit", args=[_follow_up(c).pk]),
        LEADER_ONLY_IN_SOLVIK,
    ),
    (
        "follow-up status",
        lambda c: reverse("reports:follow-up-status", args=[_follow_up(c).pk]),
        only({"sector_leader": 200, "unit_leader": 200, "other_municipality": 404}, others=403),
    ),
    (
        "follow-up overview",
        lambda c: reverse("reports:follow-up-overview"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "question create (published)",
        lambda c: _rep_url(c, "reports:question-create", "published"),
        REPORT_READERS,
    ),
    (
        "question create (draft)",
        lambda c: _rep_url(c, "reports:question-create", "draft"),
        only({"sector_leader": 403}, others=404),
    ),
    (
        "question answer",
        lambda c: reverse("reports:question-answer", args=[_question(c).pk]),
        LEADER_ONLY_IN_SOLVIK,
    ),
    (
        "assessment start (POST only)",
        lambda c: reverse("reports:assessment-start"),
        only({"sector_leader": 405}, others=403),
    ),
    (
        "assessment year",
        lambda c: _assess_url(c, "reports:assessment-year", "year"),
        ASSESSMENT_WRITERS,
    ),
    ("assessment edit", lambda c: _assess_url(c, "reports:assessment-edit"), ASSESSMENT_WRITERS),
    (
        "assessment history",
        lambda c: _assess_url(c, "reports:assessment-history"),
        ASSESSMENT_WRITERS,
    ),
    (
        "assessment submit (POST only)",
        lambda c: _assess_url(c, "reports:assessment-submit"),
        only({"sector_leader": 405, "unit_leader": 405}, others=404),
    ),
    (
        "assessment approve (POST only)",
        lambda c: _assess_url(c, "reports:assessment-approve"),
        only({"sector_leader": 405, "unit_leader": 403}, others=404),
    ),
    # A draft is not sent back: nobody may until it is in review or final.
    (
        "assessment return (POST only)",
        lambda c: _assess_url(c, "reports:assessment-return"),
        only({"sector_leader": 403, "unit_leader": 403}, others=404),
    ),
    (
        "assessment invite (POST only)",
        lambda c: _assess_url(c, "reports:assessment-invite"),
        only({"sector_leader": 405, "unit_leader": 403}, others=404),
    ),
    # --- end status reports ---
]


def _foreign_words(cast, persona) -> list[str]:
    """Names that belong to a municipality the persona is not a member of."""
    if persona == "other_municipality":
        return [
            "Solvik barneskole",
            "Solbakken barnehage",
            cast["unit_leader"].get_full_name(),
            "Kvalitetsplan for Solvik",
            "Inkluderende miljø",
            "Språkgrupper i barnehagen",
            "Solvik-kurs om lesing",
            "Solvik-kommentar om mobbing",
            "solvik-mobbing.csv",
            "Fortrolig notat fra virksomhetssamtalen",
            "Lesekurs for 1. trinn",
        ]
    return [
        "Nabovik skole",
        cast["other_municipality"].get_full_name(),
        "Nabovik-planen",
        "Naboviks område",
        "Naboviks tiltak",
        "Nabovik-kurs i hemmelighet",
        "Nabovik-kommentar om mobbing",
        "Naboviks hemmelige krav",
        "Naboviks hemmelige tjeneste",
        "Naboviks behov",
        "Naboviks fortrolige samtale",
        "Naboviks hemmelige punkt",
    ]


MATRIX += [
    # --- BTI ---
    ("bti home", _bti_url("bti:home"), BTI_USERS),
    ("bti search", _bti_url("bti:search"), BTI_USERS),
    ("bti statistics", _bti_url("bti:statistics"), BTI_STATISTICS),
    ("bti follow-up", _bti_url("bti:followup"), BTI_FOLLOWUP),
    ("bti follow-up csv", _bti_url("bti:followup-export"), BTI_FOLLOWUP),
    ("bti report guidance", _bti_url("bti:report-guidance"), OPEN),
    ("bti otp enrol", _bti_url("bti:otp-enrol"), expect(200, staff=302, unit_leader=302)),
    ("bti otp verify", _bti_url("bti:otp-verify"), expect(302, staff=200, unit_leader=200)),
    ("bti concern create", _bti_url("bti:concern-create"), BTI_USERS),
    ("bti concern detail", _bti_url("bti:concern-detail", "concern"), BTI_READERS),
    ("bti concern decide", _bti_url("bti:concern-decide", "pending_concern"), BTI_LEADER),
    ("bti case detail", _bti_url("bti:case-detail", "case"), BTI_READERS),
    ("bti case level", _bti_url("bti:case-level", "case"), BTI_WRITERS),
    ("bti guardian add", _bti_url("bti:case-guardian-add", "case"), BTI_WRITERS),
    ("bti team add", _bti_url("bti:case-team-add", "case"), BTI_WRITERS),
    ("bti consent add", _bti_url("bti:case-consent-add", "case"), BTI_WRITERS),
    ("bti violence flag", _bti_url("bti:case-violence", "case"), BTI_WRITERS),
    ("bti goal add", _bti_url("bti:case-goal-add", "case"), BTI_WRITERS),
    ("bti entry add", _bti_url("bti:case-entry-add", "case"), BTI_WRITERS),
    ("bti action add", _bti_url("bti:case-action-add", "case"), BTI_WRITERS),
    (
        "bti action evaluate",
        _bti_url("bti:case-action-evaluate", "case", "action"),
        BTI_WRITERS,
    ),
    ("bti meeting add", _bti_url("bti:case-meeting-add", "case"), BTI_WRITERS),
    ("bti handover propose", _bti_url("bti:case-handover", "case"), BTI_WRITERS),
    (
        "bti team remove (POST only)",
        lambda c: reverse(
            "bti:case-team-remove", args=[_bti(c).case.pk, _bti(c).case.team.last().pk]
        ),
        expect(405),
    ),
    (
        "bti consent withdraw (POST only)",
        _bti_url("bti:case-consent-withdraw", "case", "consent"),
        expect(405),
    ),
    ("bti close", _bti_url("bti:case-close", "case"), BTI_WRITERS),
    (
        # The health station's log before birth, held by its nurse: nobody in the cast.
        "bti case birth",
        lambda c: reverse("bti:case-birth", args=[_bti_unborn(c).case.pk]),
        only({}, others=404),
    ),
    ("bti case export", _bti_url("bti:case-export", "case"), BTI_READERS),
    ("bti access history", _bti_url("bti:case-access-log", "case"), BTI_LEADER),
    ("bti access history pdf", _bti_url("bti:case-access-pdf", "case"), BTI_LEADER),
    ("bti handover accept", _bti_url("bti:handover-accept", "handover"), only({}, others=404)),
    ("bti handbook", _handbook_url("bti:handbook"), expect(200)),
    ("bti handbook history", _handbook_url("bti:handbook-history"), expect(200)),
    ("bti handbook step create", _handbook_url("bti:handbook-step-create"), HANDBOOK_WRITER),
    (
        "bti handbook step edit",
        _handbook_url("bti:handbook-step-edit", "step"),
        HANDBOOK_OBJECT_WRITER,
    ),
    (
        "bti handbook step delete",
        _handbook_url("bti:handbook-step-delete", "step"),
        HANDBOOK_OBJECT_WRITER,
    ),
    ("bti handbook tool create", _handbook_url("bti:handbook-tool-create"), HANDBOOK_WRITER),
    (
        "bti handbook tool download",
        _handbook_url("bti:handbook-tool-download", "tool"),
        expect(200, other_municipality=404),
    ),
    (
        "bti handbook tool delete",
        _handbook_url("bti:handbook-tool-delete", "tool"),
        HANDBOOK_OBJECT_WRITER,
    ),
    # --- end BTI ---
    # --- consultation meetings ---
    ("consultation list", _consult_url("bti:consultations"), CONSULT_USERS),
    (
        "consultation schedule create",
        _consult_url("bti:consultation-schedule-create"),
        only({"bti_coordinator": 200}, others=403),
    ),
    (
        "consultation schedule detail",
        _consult_url("bti:consultation-schedule", "schedule"),
        CONSULT_READERS,
    ),
    (
        "consultation meeting (held; the staff member answers for an action)",
        _consult_url("bti:consultation-meeting", "held"),
        only({"bti_coordinator": 200, "unit_leader": 200, "staff": 200}, others=404),
    ),
    (
        "consultation protocol",
        _consult_url("bti:consultation-protocol", "planned"),
        CONSULT_READERS,
    ),
    (
        "consultation meeting change",
        _consult_url("bti:consultation-meeting-change", "planned"),
        only({"bti_coordinator": 200, "unit_leader": 403}, others=404),
    ),
    (
        "consultation action follow-up",
        _consult_url("bti:consultation-action-follow-up", "action"),
        only({"bti_coordinator": 403, "unit_leader": 403, "staff": 200}, others=404),
    ),
    # --- end consultation meetings ---
]

MATRIX += [
    # --- the directory of services (issue 19) ---
    # A member reads their own municipality's; anyone else gets the public index.
    ("directory list", _dir_url("directory:list"), OPEN),
    (
        "directory service detail",
        _dir_url("directory:service-detail", "members_only"),
        expect(200, other_municipality=404),
    ),
    (
        "directory service detail (inactive)",
        _dir_url("directory:service-detail", "inactive"),
        only({"bti_coordinator": 200}, others=404),
    ),
    ("directory service create", _dir_url("directory:service-create"), DIRECTORY_MANAGER),
    ("directory service edit", _dir_url("directory:service-edit", "public"), DIRECTORY_MANAGER),
    (
        "directory service status (POST only)",
        _dir_url("directory:service-status", "public"),
        only({"bti_coordinator": 405}, others=403),
    ),
    (
        "directory units sync (POST only)",
        _dir_url("directory:units-sync"),
        only({"bti_coordinator": 405}, others=403),
    ),
    ("directory need list", _dir_url("directory:need-list"), DIRECTORY_MANAGER),
    ("directory need edit", _dir_url("directory:need-edit", "language"), DIRECTORY_MANAGER),
    ("directory need delete", _dir_url("directory:need-delete", "language"), DIRECTORY_MANAGER),
    # Without login: the public entries, the same for everyone.
    ("directory public list", _dir_url("directory:public-list", public=True), OPEN),
    (
        "directory public detail",
        _dir_url("directory:public-detail", "public", public=True),
        OPEN,
    ),
    (
        "directory public detail (members only entry)",
        _dir_url("directory:public-detail", "members_only", public=True),
        expect(404, anonymous=404, no_membership=404),
    ),
    (
        "directory public detail (inactive entry)",
        _dir_url("directory:public-detail", "inactive", public=True),
        expect(404, anonymous=404, no_membership=404),
    ),
    # --- end directory of services ---
]

MATRIX += [
    # --- four eyes on memberships (issue 13) ---
    (
        "membership review",
        lambda c: reverse("plans:membership-review"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "membership confirm (POST only)",
        lambda c: reverse(
            "plans:membership-confirm", args=[c["elected_official"].memberships.get().pk]
        ),
        only({"sector_leader": 405}, others=403),
    ),
    (
        "membership reject (POST only)",
        lambda c: reverse(
            "plans:membership-reject", args=[c["elected_official"].memberships.get().pk]
        ),
        only({"sector_leader": 405}, others=403),
    ),
    # --- end four eyes on memberships ---
    # --- four eyes on the identity provider's group mappings (issue 17) ---
    (
        "group mapping review",
        lambda c: reverse("identity:mapping-review"),
        only({"sector_leader": 200}, others=403),
    ),
    (
        "group mapping confirm (POST only)",
        lambda c: reverse("identity:mapping-confirm", args=[_pending_mapping(c).pk]),
        only({"sector_leader": 405}, others=403),
    ),
    (
        "group mapping reject (POST only)",
        lambda c: reverse("identity:mapping-reject", args=[_pending_mapping(c).pk]),
        only({"sector_leader": 405}, others=403),
    ),
]


def _pending_mapping(c):
    """A group mapping into a BTI-reading role, waiting for a sector leader."""
    from identity.models import GroupRoleMapping
    from plans.models import Role

    found = GroupRoleMapping.objects.filter(group="matrix-staff").first()
    return found or GroupRoleMapping.objects.create(
        municipality=c.municipality,
        provider="matrix",
        group="matrix-staff",
        role=Role.STAFF,
        unit=c.school,
        changed_by=c["data_admin"],
    )


# --- saved column mappings and the import preview's indicator links ---
def _mapping(c):
    """A saved column mapping of "our" municipality."""
    from indicators.models import ImportMapping, Source

    found = ImportMapping.objects.filter(municipality=c.municipality).first()
    if found is not None:
        return found
    source = Source.objects.get_or_create(code="lokal", defaults={"name": "Lokal kartlegging"})[0]
    return ImportMapping.objects.create(
        municipality=c.municipality,
        name="Solvik-oppsett",
        header_signature="0" * 64,
        columns={},
        source=source,
        indicator_code="solvik",
        indicator_name="Solvik",
    )


MATRIX += [
    ("import mapping list", lambda c: _ind_url(c, "indicators:mapping-list"), ADMIN_ONLY),
    (
        "import mapping edit",
        lambda c: reverse("indicators:mapping-edit", args=[_mapping(c).pk]),
        only({"data_admin": 200}, others=404),
    ),
    (
        "import mapping delete",
        lambda c: reverse("indicators:mapping-delete", args=[_mapping(c).pk]),
        only({"data_admin": 200}, others=404),
    ),
    (
        "import indicator link (POST only)",
        lambda c: reverse("indicators:import-indicator-link", args=[_ind(c)["batch"].pk]),
        only({"sector_leader": 403, "data_admin": 405}, others=404),
    ),
]


# --- leader dialogues (issue 20): private to the two parties and their superiors. Only
# the roles that hold or join dialogues use the pages (the rest 403); a dialogue outside
# one's scope is a 404. tests/plans/dialogue_helpers.py builds them.
def _dlg(c):
    from tests.plans.dialogue_helpers import build_dialogues

    return build_dialogues(c)


def _dlg_url(name, which=None):
    def url(c):
        d = _dlg(c)
        return reverse(name, args=[getattr(d, which).pk]) if which else reverse(name)

    return url


def _dialogue_users(**statuses) -> dict:
    return only(statuses, others=403)


MATRIX += [
    (
        "dialogue list",
        _dlg_url("plans:dialogue-list"),
        _dialogue_users(sector_leader=200, unit_leader=200, staff=200),
    ),
    (
        "dialogue create",
        _dlg_url("plans:dialogue-create"),
        _dialogue_users(sector_leader=200, unit_leader=200),
    ),
    (
        "dialogue detail, sector leader with the unit leader",
        _dlg_url("plans:dialogue-detail", "unit"),
        _dialogue_users(sector_leader=200, unit_leader=200, staff=404),
    ),
    (
        "dialogue detail, unit leader with the staff member",
        _dlg_url("plans:dialogue-detail", "team"),
        _dialogue_users(sector_leader=200, unit_leader=200, staff=200),
    ),
    (
        "dialogue detail, another unit's",
        _dlg_url("plans:dialogue-detail", "kindergarten"),
        _dialogue_users(sector_leader=200, unit_leader=404, staff=404),
    ),
    (
        "dialogue detail, another municipality's",
        _dlg_url("plans:dialogue-detail", "other"),
        _dialogue_users(sector_leader=404, unit_leader=404, staff=404),
    ),
    (
        "dialogue print",
        _dlg_url("plans:dialogue-print", "unit"),
        _dialogue_users(sector_leader=200, unit_leader=200, staff=404),
    ),
    (
        "dialogue edit, unit dialogue",
        _dlg_url("plans:dialogue-edit", "unit"),
        _dialogue_users(sector_leader=200, unit_leader=403, staff=404),
    ),
    (
        "dialogue edit, team dialogue",
        _dlg_url("plans:dialogue-edit", "team"),
        _dialogue_users(sector_leader=403, unit_leader=200, staff=403),
    ),
    (
        "dialogue agenda (POST only)",
        _dlg_url("plans:dialogue-agenda", "unit"),
        _dialogue_users(sector_leader=405, unit_leader=403, staff=404),
    ),
    (
        "dialogue status (POST only)",
        _dlg_url("plans:dialogue-status", "team"),
        _dialogue_users(sector_leader=403, unit_leader=405, staff=403),
    ),
    (
        "dialogue point add",
        _dlg_url("plans:dialogue-point-add", "unit"),
        _dialogue_users(sector_leader=200, unit_leader=403, staff=404),
    ),
    (
        "dialogue point update, the staff member's point in the unit dialogue",
        _dlg_url("plans:dialogue-point-update", "staff_point"),
        _dialogue_users(sector_leader=200, unit_leader=403, staff=200),
    ),
    (
        "dialogue point update, another unit's point",
        _dlg_url("plans:dialogue-point-update", "kindergarten_point"),
        _dialogue_users(sector_leader=200, unit_leader=404, staff=404),
    ),
    (
        "dialogue point update, another municipality's point",
        _dlg_url("plans:dialogue-point-update", "other_point"),
        _dialogue_users(sector_leader=404, unit_leader=404, staff=404),
    ),
]
# --- end leader dialogues


# One test per URL tries every persona against the same cast: building the cast once per
# URL rather than once per URL and persona keeps the matrix fast. A failure lists every
# persona that got the wrong answer.
@pytest.mark.parametrize(("name", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_access_matrix(plan_cast, client_for, settings, name, url, expected):
    cast = plan_cast
    # Access does not depend on the infrastructure; /healthz would answer 503 here
    # without a worker, which tests/services covers.
    settings.REDIS_URL = None
    wrong = []
    for persona in ALL:
        client = client_for(None if persona == "anonymous" else cast[persona])
        target = url(cast)
        if persona in BTI_VERIFIED and target.startswith("/bti/"):
            from tests.bti.helpers import otp_verify

            otp_verify(client, cast[persona])
        response = client.get(target)
        if response.status_code != expected[persona]:
            wrong.append(f"{persona}: got {response.status_code}, expected {expected[persona]}")
        elif (
            persona == "anonymous"
            and expected[persona] == 302
            and not response["Location"].startswith(reverse("login"))
        ):
            wrong.append(f"anonymous: redirected to {response['Location']}, not the login")
    assert wrong == [], f"{name}: " + "; ".join(wrong)


SESSION_MATRIX = [row for row in MATRIX if row[0] not in BEARER_URLS]


@pytest.mark.parametrize(
    ("name", "url", "expected"), SESSION_MATRIX, ids=[row[0] for row in SESSION_MATRIX]
)
def test_no_page_shows_another_municipalitys_rows(plan_cast, client_for, name, url, expected):
    """Whatever a page answers, it never names a unit, user, plan, area or measure of a
    municipality the persona does not belong to."""
    cast = plan_cast
    seen = []
    for persona in MEMBERS:
        response = client_for(cast[persona]).get(url(cast), follow=True)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", errors="replace")
        seen += [
            f"{persona} saw {word!r}" for word in _foreign_words(cast, persona) if word in body
        ]
    assert seen == [], f"{name}: " + "; ".join(seen)


def test_matrix_covers_every_named_portal_url(plan_cast):
    cast = plan_cast
    """A new URL must join the matrix: every named URL outside the admin is listed here,
    except the POST-only and token URLs that test_auth covers."""
    from django.urls import get_resolver, resolve

    covered = {resolve(url(cast).split("?")[0]).view_name for _name, url, _expected in MATRIX}
    resolver = get_resolver()
    names = {name for name in resolver.reverse_dict if isinstance(name, str)}
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        if namespace != "admin":
            names |= {f"{namespace}:{name}" for name in sub.reverse_dict if isinstance(name, str)}
    covered_elsewhere = {
        "logout",
        "set_language",
        "password_change_done",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        # Sign-in with the municipality's provider: tests/identity/ (a real provider).
        "identity:login",
        "identity:callback",
    }
    assert sorted(names - covered - covered_elsewhere) == []


BTI_ROWS = [row for row in MATRIX if row[0].startswith("bti ")]


@pytest.mark.parametrize(("name", "url", "expected"), BTI_ROWS, ids=[row[0] for row in BTI_ROWS])
def test_bti_urls_give_outsiders_nothing(plan_cast, client, name, url, expected):
    """Two more personas for every BTI URL, TOTP-verified: a staff member of the log's own
    unit who is not on its team, and a staff member of another municipality. A page about
    one log or concern answers 403/404/405; no page shows the child or the concern."""
    from plans.models import Role
    from tests.bti.helpers import CHILD_NAME, otp_verify
    from tests.factories import MembershipFactory, UserFactory

    cast = plan_cast
    bti = _bti(cast)
    stranger = UserFactory(username="nabo-ansatt")
    MembershipFactory(
        user=stranger, municipality=cast.other_municipality, unit=cast.other_unit, role=Role.STAFF
    )
    target = url(cast)
    about_one = any(part in target for part in ("/logg/", "/undring/", "/stafett/")) and (
        "/ny/" not in target
    )
    wrong = []
    for user in (bti.outsider, stranger):
        client.logout()
        client.force_login(user)
        otp_verify(client, user)
        response = client.get(target)
        body = response.content.decode(errors="replace")
        if about_one and response.status_code not in (403, 404, 405):
            wrong.append(f"{user.username}: got {response.status_code}")
        for secret in (CHILD_NAME, "Fiktiv observasjon", "Fiktivt tiltak"):
            if secret in body:
                wrong.append(f"{user.username} saw {secret!r}")
    assert wrong == [], f"{name}: " + "; ".join(wrong)
