"""Self-assessment as a group session: who may be invited (forged ids refused), answering
once and anonymously, the distributions through the disclosure layer, the joint
conclusion feeding the sector's trends, and the pages' scope and query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from plans.models import (
    AssessmentGroup,
    AssessmentStatus,
    PlanChange,
    Role,
    ScoreTally,
    SelfAssessment,
    ServiceField,
    SessionParticipant,
)
from plans.selectors import assessment as selectors
from plans.selectors.dashboard import _assessment_averages
from plans.services.group_assessment import (
    group_assessment_answer,
    group_assessment_close,
    group_assessment_start,
)
from plans.services.self_assessment import self_assessment_save
from tests.factories import MembershipFactory, UserFactory
from tests.plans.test_self_assessment import QualityToolFactory, ToolStatementFactory, school_tool


def administration_tool(c):
    """«Administrasjon og politikk» of the plan in force, with two statements."""
    tool = c.quality_plan.quality_tools.filter(service_field=ServiceField.ADMINISTRATION).first()
    if tool is None:
        tool = QualityToolFactory(
            quality_plan=c.quality_plan,
            service_field=ServiceField.ADMINISTRATION,
            title="Administrasjon og politikk",
        )
        ToolStatementFactory(tool=tool, area=c.areas[0], text="Politikerne kjenner planen.")
        ToolStatementFactory(tool=tool, area=c.areas[1], text="Vi følger opp sammen.")
    return tool


def officials(c, count: int) -> list:
    """``count`` more elected officials of Solvik."""
    users = []
    for _ in range(count):
        user = UserFactory()
        MembershipFactory(user=user, municipality=c.municipality, role=Role.ELECTED_OFFICIAL)
        users.append(user)
    return users


def administration_session(c, extra: int = 0) -> SelfAssessment:
    """A session of the administration with the elected officials, collecting answers:
    the sector leader, the cast's elected official and ``extra`` more officials."""
    administration_tool(c)
    people = [c["sector_leader"], c["elected_official"], *officials(c, extra)]
    return group_assessment_start(
        group=AssessmentGroup.ADMINISTRATION,
        municipality=c.municipality,
        actor=c["sector_leader"],
        participant_ids=[user.pk for user in people],
    )


def answer_all(session, users, score: int) -> None:
    statements = session.tool.statements.values_list("pk", flat=True)
    for user in users:
        group_assessment_answer(
            assessment=session, user=user, scores=dict.fromkeys(statements, score)
        )


def participants(session) -> list:
    return [p.user for p in session.session_participants.select_related("user")]


# --- the model: nothing in a score row points at a person -----------------------------------


def test_score_rows_hold_no_person_no_time_and_no_row_per_answer():
    fields = {field.name for field in ScoreTally._meta.get_fields()}
    assert fields == {"id", "assessment", "statement", "score", "count"}
    for field in ScoreTally._meta.get_fields():
        assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField)
        related = getattr(field, "related_model", None)
        assert related is None or related.__name__ in {"SelfAssessment", "ToolStatement"}
    # That someone answered is kept on the invitation, which holds no score and no time.
    invitation = {field.name for field in SessionParticipant._meta.get_fields()}
    assert invitation == {"id", "assessment", "user", "has_answered"}


# --- invitations ---------------------------------------------------------------------------


def test_administration_session_invites_sector_leaders_and_elected_officials(plan_cast):
    c = plan_cast
    session = administration_session(c)
    assert session.unit is None
    assert session.municipality == c.municipality
    assert session.status == AssessmentStatus.COLLECTING
    assert session.tool.service_field == ServiceField.ADMINISTRATION
    assert set(participants(session)) == {c["sector_leader"], c["elected_official"]}
    # Four zero counts and one empty conclusion answer per statement.
    assert ScoreTally.objects.filter(assessment=session).count() == 8
    assert set(ScoreTally.objects.filter(assessment=session).values_list("count", flat=True)) == {0}
    assert session.answers.count() == 2
    assert PlanChange.objects.filter(quality_plan=c.quality_plan, action="added").exists()


@pytest.mark.parametrize("intruder", ["staff", "other_municipality", "unit_leader", "pending"])
def test_forged_participants_refuse_the_whole_session(plan_cast, intruder):
    c = plan_cast
    administration_tool(c)
    if intruder == "pending":
        user = UserFactory()
        MembershipFactory(
            user=user, municipality=c.municipality, role=Role.SECTOR_LEADER, pending=True
        )
    else:
        user = c[intruder]
    with pytest.raises(ValidationError) as caught:
        group_assessment_start(
            group=AssessmentGroup.ADMINISTRATION,
            municipality=c.municipality,
            actor=c["sector_leader"],
            participant_ids=[c["sector_leader"].pk, c["elected_official"].pk, user.pk],
        )
    assert "participants" in caught.value.message_dict
    assert not SelfAssessment.objects.exists()


def test_unit_staff_session_takes_the_units_people_only(plan_cast):
    c = plan_cast
    school_tool(c)
    colleague = UserFactory()
    MembershipFactory(user=colleague, municipality=c.municipality, unit=c.school, role=Role.STAFF)
    elsewhere = UserFactory()
    MembershipFactory(
        user=elsewhere, municipality=c.municipality, unit=c.kindergarten, role=Role.STAFF
    )
    candidates = set(
        selectors.session_candidates(
            group=AssessmentGroup.UNIT_STAFF, municipality_id=c.municipality.pk, unit_id=c.school.pk
        )
    )
    assert candidates == {c["unit_leader"], c["staff"], colleague}
    with pytest.raises(ValidationError):
        group_assessment_start(
            group=AssessmentGroup.UNIT_STAFF,
            municipality=c.municipality,
            unit=c.school,
            actor=c["unit_leader"],
            participant_ids=[c["staff"].pk, elsewhere.pk],
        )
    session = group_assessment_start(
        group=AssessmentGroup.UNIT_STAFF,
        municipality=c.municipality,
        unit=c.school,
        actor=c["unit_leader"],
        participant_ids=[c["staff"].pk, colleague.pk],
    )
    assert session.unit == c.school
    # One unfinished assessment per unit: neither the leader's own nor a second session.
    with pytest.raises(ValidationError):
        group_assessment_start(
            group=AssessmentGroup.UNIT_STAFF,
            municipality=c.municipality,
            unit=c.school,
            actor=c["unit_leader"],
            participant_ids=[c["staff"].pk, colleague.pk],
        )


def test_a_group_of_one_is_refused(plan_cast):
    c = plan_cast
    administration_tool(c)
    with pytest.raises(ValidationError):
        group_assessment_start(
            group=AssessmentGroup.ADMINISTRATION,
            municipality=c.municipality,
            actor=c["sector_leader"],
            participant_ids=[c["elected_official"].pk],
        )


# --- answering -----------------------------------------------------------------------------


def test_a_participant_answers_once_and_only_counts_change(plan_cast):
    c = plan_cast
    session = administration_session(c)
    first, second = session.tool.statements.order_by("pk")
    group_assessment_answer(
        assessment=session, user=c["elected_official"], scores={first.pk: 4, second.pk: 2}
    )
    counts = dict(
        ScoreTally.objects.filter(assessment=session, count__gt=0).values_list(
            "statement_id", "score"
        )
    )
    assert counts == {first.pk: 4, second.pk: 2}
    assert SessionParticipant.objects.get(
        assessment=session, user=c["elected_official"]
    ).has_answered
    with pytest.raises(ValidationError, match="allerede svart"):
        group_assessment_answer(
            assessment=session, user=c["elected_official"], scores={first.pk: 1, second.pk: 1}
        )
    assert ScoreTally.objects.filter(assessment=session).aggregate(n=models.Sum("count"))["n"] == 2


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ("missing", "mangler"),
        ("out_of_scale", "fra 1 til 4"),
        ("foreign_statement", "hører ikke til"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_counted(plan_cast, scores, message):
    c = plan_cast
    session = administration_session(c)
    first, second = session.tool.statements.order_by("pk")
    other = ToolStatementFactory(tool=school_tool(c), area=c.areas[0])
    data = {
        "missing": {first.pk: 3},
        "out_of_scale": {first.pk: 3, second.pk: 5},
        "foreign_statement": {first.pk: 3, second.pk: 3, other.pk: 3},
    }[scores]
    with pytest.raises(ValidationError, match=message):
        group_assessment_answer(assessment=session, user=c["elected_official"], scores=data)
    assert not ScoreTally.objects.filter(assessment=session, count__gt=0).exists()
    assert not SessionParticipant.objects.filter(has_answered=True).exists()


def test_the_uninvited_and_the_late_cannot_answer(plan_cast):
    c = plan_cast
    session = administration_session(c)
    scores = dict.fromkeys(session.tool.statements.values_list("pk", flat=True), 3)
    with pytest.raises(ValidationError, match="ikke invitert"):
        group_assessment_answer(assessment=session, user=c["staff"], scores=scores)
    group_assessment_close(assessment=session, actor=c["sector_leader"])
    with pytest.raises(ValidationError, match="avsluttet"):
        group_assessment_answer(assessment=session, user=c["elected_official"], scores=scores)


# --- distributions through the disclosure layer ----------------------------------------


def test_no_distribution_while_answers_are_collected(plan_cast):
    c = plan_cast
    session = administration_session(c, extra=5)
    answer_all(session, participants(session), 3)
    assert selectors.session_distributions(session) == {}


def test_distribution_below_the_threshold_is_suppressed(plan_cast):
    c = plan_cast
    session = administration_session(c, extra=2)
    answer_all(session, participants(session)[:3], 3)
    group_assessment_close(assessment=session, actor=c["sector_leader"])
    session.refresh_from_db()
    for dist in selectors.session_distributions(session).values():
        assert [cell["text"] for cell in dist.cells] == ["<5"] * 4
        assert all(cell["value"] is None for cell in dist.cells)
        assert dist.total["suppressed"]
        assert dist.mean is None
        assert dist.median is None


def _closed_with(c, scores: list[int]):
    session = administration_session(c, extra=len(scores) - 2)
    for user, score in zip(participants(session), scores, strict=True):
        answer_all(session, [user], score)
    group_assessment_close(assessment=session, actor=c["sector_leader"])
    session.refresh_from_db()
    return next(iter(selectors.session_distributions(session).values()))


def test_a_total_known_from_the_response_count_hides_every_cell(plan_cast):
    # Seven agree on 4: the layer alone would hide the total and show «<5 <5 <5 7»; the
    # response count on the page gives the total back, so every cell is withheld —
    # unanimity must not show, nor any mean or median.
    dist = _closed_with(plan_cast, [4] * 7)
    assert [cell["text"] for cell in dist.cells] == [":", ":", ":", ":"]
    assert dist.total["text"] == "7"
    assert dist.mean is None
    assert dist.median is None


def test_secondary_suppression_keeps_hidden_cells_wide(plan_cast):
    dist = _closed_with(plan_cast, [1] * 3 + [2] * 3 + [3] * 6 + [4] * 6)
    assert [cell["text"] for cell in dist.cells] == ["<5", "<5", ":", "6"]
    assert dist.mean is None  # a mean beside hidden cells would pin them


def test_a_distribution_with_no_small_count_is_shown_whole(plan_cast):
    dist = _closed_with(plan_cast, [1] * 5 + [2] * 5 + [3] * 5 + [4] * 5)
    assert [cell["text"] for cell in dist.cells] == ["5", "5", "5", "5"]
    assert str(dist.mean) == "2.5"
    assert str(dist.median) == "2.5"


# --- the joint conclusion --------------------------------------------------------------


def test_joint_conclusion_completes_and_feeds_the_sectors_trend(plan_cast):
    c = plan_cast
    session = administration_session(c)
    with pytest.raises(ValidationError):  # not while the participants still answer
        self_assessment_save(
            assessment=session, answers={}, actor=c["sector_leader"], complete=True
        )
    group_assessment_close(assessment=session, actor=c["sector_leader"])
    answers = {
        answer.pk: {"score": 3, "reflection": "Vi er enige."} for answer in session.answers.all()
    }
    session = self_assessment_save(
        assessment=session,
        answers=answers,
        actor=c["sector_leader"],
        complete=True,
        conducted_on=datetime.date.today(),
    )
    assert session.status == AssessmentStatus.COMPLETED
    year = datetime.date.today().year - (1 if datetime.date.today().month < 8 else 0)
    averages = _assessment_averages(c["sector_leader"], c.municipality, [year])
    assert averages[(c.areas[0].key, year)] is not None


# --- pages ---------------------------------------------------------------------------------


def test_participant_answers_on_the_page_and_the_elected_official_reads_the_conclusion(
    plan_cast, client_for
):
    c = plan_cast
    session = administration_session(c)
    client = client_for(c["elected_official"])
    detail = reverse("plans:self-assessment-detail", args=[session.pk])
    assert client.get(detail).status_code == 404  # nothing to read before the conclusion
    page = client.get(reverse("plans:self-assessment-sessions"))
    assert reverse("plans:self-assessment-answer", args=[session.pk]) in page.content.decode()
    url = reverse("plans:self-assessment-answer", args=[session.pk])
    data = {f"score_{pk}": "4" for pk in session.tool.statements.values_list("pk", flat=True)}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # second time: a message, no count
    assert ScoreTally.objects.filter(assessment=session).aggregate(n=models.Sum("count"))["n"] == 2
    group_assessment_close(assessment=session, actor=c["sector_leader"])
    self_assessment_save(
        assessment=session,
        answers={a.pk: {"score": 2, "reflection": ""} for a in session.answers.all()},
        actor=c["sector_leader"],
        complete=True,
    )
    response = client.get(detail)
    assert response.status_code == 200
    assert "Deltakernes svar" not in response.content.decode()  # no distribution for them


def test_facilitator_sees_count_and_suppressed_distribution(plan_cast, client_for):
    c = plan_cast
    session = administration_session(c, extra=1)
    answer_all(session, participants(session)[:2], 3)
    client = client_for(c["sector_leader"])
    detail = reverse("plans:self-assessment-detail", args=[session.pk])
    assert "2 av 3 inviterte har svart" in client.get(detail).content.decode()
    assert client.post(reverse("plans:self-assessment-close", args=[session.pk])).status_code == 302
    html = client.get(reverse("plans:self-assessment-edit", args=[session.pk])).content.decode()
    assert "Deltakernes svar" in html
    assert "&lt;5" in html


def test_start_page_refuses_a_forged_participant(plan_cast, client_for):
    c = plan_cast
    administration_tool(c)
    client = client_for(c["sector_leader"])
    url = reverse("plans:self-assessment-group-start")
    page = client.get(url + "?group=administration")
    assert page.status_code == 200
    official = c["elected_official"]
    assert (official.get_full_name() or official.username) in page.content.decode()
    response = client.post(
        url,
        {
            "group": "administration",
            "participants": [c["elected_official"].pk, c["other_municipality"].pk],
            "conducted_on": "2026-01-10",
        },
    )
    assert response.status_code == 200
    assert "gyldig" in response.content.decode()
    assert not SelfAssessment.objects.exists()
    response = client.post(
        url,
        {
            "group": "administration",
            "participants": [c["elected_official"].pk, c["sector_leader"].pk],
            "conducted_on": "2026-01-10",
        },
    )
    assert response.status_code == 302
    assert SelfAssessment.objects.get().group == AssessmentGroup.ADMINISTRATION


def test_unit_leader_may_not_start_a_municipality_group(plan_cast, client_for):
    c = plan_cast
    administration_tool(c)
    client = client_for(c["unit_leader"])
    response = client.post(
        reverse("plans:self-assessment-group-start"),
        {
            "group": "administration",
            "participants": [c["elected_official"].pk, c["sector_leader"].pk],
            "conducted_on": "2026-01-10",
        },
    )
    assert response.status_code == 400
    assert not SelfAssessment.objects.exists()


@pytest.mark.parametrize("url_name", ["self-assessment-detail", "self-assessment-sessions"])
def test_pages_cost_the_same_for_one_and_ten_times_the_participants(
    plan_cast, client_for, django_assert_max_num_queries, url_name
):
    c = plan_cast
    counts = []
    for extra in (1, 10):
        SelfAssessment.objects.all().delete()
        session = administration_session(c, extra=extra)
        answer_all(session, participants(session), 3)
        group_assessment_close(assessment=session, actor=c["sector_leader"])
        client = client_for(c["sector_leader"])
        args = [session.pk] if url_name == "self-assessment-detail" else []
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(f"plans:{url_name}", args=args)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_home_page_lists_the_sessions_waiting_for_my_answer(plan_cast, client_for):
    c = plan_cast
    session = administration_session(c)
    answer_url = reverse("plans:self-assessment-answer", args=[session.pk])
    client = client_for(c["elected_official"])
    assert answer_url in client.get(reverse("home")).content.decode()
    answer_all(session, [c["elected_official"]], 3)
    assert answer_url not in client.get(reverse("home")).content.decode()
    assert answer_url not in client_for(c["staff"]).get(reverse("home")).content.decode()


@pytest.mark.parametrize("completed", [False, True])
def test_the_read_rule_mirrors_the_queryset_for_every_persona(plan_cast, completed):
    from tests.conftest import PERSONAS

    c = plan_cast
    session = administration_session(c)
    if completed:
        SelfAssessment.objects.filter(pk=session.pk).update(status=AssessmentStatus.COMPLETED)
        session.refresh_from_db()
    for persona in (*PERSONAS, "other_municipality", "no_membership"):
        user = c[persona]
        visible = SelfAssessment.objects.visible_to(user).filter(pk=session.pk).exists()
        assert user.has_perm("plans.view_selfassessment", session) == visible, persona
        expected = {"sector_leader"} | ({"elected_official"} if completed else set())
        assert visible == (persona in expected), persona


def test_the_sector_page_shows_a_completed_municipality_group_labelled(plan_cast, client_for):
    c = plan_cast
    session = administration_session(c)
    group_assessment_close(assessment=session, actor=c["sector_leader"])
    self_assessment_save(
        assessment=session,
        answers={a.pk: {"score": 4, "reflection": ""} for a in session.answers.all()},
        actor=c["sector_leader"],
        complete=True,
    )
    overview = selectors.sector_overview(c["sector_leader"])
    assert [group.label for group in overview.groups] == ["Administrasjon og politikk"]
    assert overview.groups[0].values == [Decimal("4.00"), Decimal("4.00")]
    html = client_for(c["sector_leader"]).get(reverse("plans:self-assessment-sector"))
    assert "Administrasjon og politikk (hele kommunen)" in html.content.decode()
