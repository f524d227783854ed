"""The council's treatment of a published report, as each persona meets it: the sector
leader records the treatment and the follow-up items and answers questions; an item's
owner updates their own item's status; elected officials ask questions on published
reports only; everyone else in the municipality reads; another municipality's rows do
not exist (404)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from plans.models import Role
from reports.models import (
    FollowUpItem,
    FollowUpStatus,
    FollowUpStatusChange,
    Question,
    ReportState,
    StatusReport,
    Treatment,
    TreatmentChange,
)
from reports.selectors.report_years import report_year_for
from reports.services import council as services
from reports.services.council import MAX_OPEN_QUESTIONS
from reports.services.report_years import report_year_open
from tests.factories import MembershipFactory, QualityPlanFactory, UserFactory

YEAR = 2024


def _report(plan, year, state, version=1):
    return StatusReport.objects.create(
        municipality=plan.municipality,
        quality_plan=plan,
        year=year,
        version=version,
        state=state,
        snapshot={"schema_version": 5},
        published_at=timezone.now() if state == ReportState.PUBLISHED else None,
    )


@pytest.fixture
def council(cast):
    plan = QualityPlanFactory(municipality=cast.municipality, period_start=2022, period_end=2025)
    published = _report(plan, YEAR, ReportState.PUBLISHED)
    draft = _report(plan, YEAR + 1, ReportState.READY)
    other_plan = QualityPlanFactory(municipality=cast.other_municipality)
    theirs = _report(other_plan, YEAR, ReportState.PUBLISHED)
    other_leader = UserFactory(username="rektor-barnehage")
    MembershipFactory(
        user=other_leader,
        municipality=cast.municipality,
        unit=cast.kindergarten,
        role=Role.UNIT_LEADER,
    )
    their_leader = UserFactory(username="nabo-sektorleder")
    MembershipFactory(
        user=their_leader, municipality=cast.other_municipality, role=Role.SECTOR_LEADER
    )
    their_item = services.follow_up_item_create(
        report_year=report_year_open(quality_plan=other_plan, year=YEAR),
        user=their_leader,
        title="Nabokommunens punkt",
        description="",
        owner=their_leader,
        due_on=datetime.date(2025, 3, 1),
    )
    return SimpleNamespace(
        plan=plan,
        published=published,
        draft=draft,
        theirs=theirs,
        their_item=their_item,
        report_year=report_year_open(quality_plan=plan, year=YEAR),
        owner=cast["unit_leader"],
        other_leader=other_leader,
        their_leader=their_leader,
    )


def _item(council, cast, **kwargs):
    values = {
        "title": "Plan for økt gjennomføring",
        "description": "Legg fram en plan for tiltak mot frafall.",
        "owner": council.owner,
        "due_on": datetime.date(2025, 3, 1),
    }
    values.update(kwargs)
    return services.follow_up_item_create(
        report_year=council.report_year, user=cast["sector_leader"], **values
    )


READERS = ("unit_leader", "staff", "bti_coordinator", "elected_official", "data_admin")


# --- The treatment --------------------------------------------------------------------------


def test_only_the_sector_leader_reaches_the_treatment_form(cast, council, client_for):
    url = reverse("reports:treatment-edit", args=[council.published.pk])
    data = {"committee": "Hovedutvalg for oppvekst", "case_number": "2025/1234"}
    assert client_for(cast["sector_leader"]).get(url).status_code == 200
    for persona in READERS:
        client = client_for(cast[persona])
        assert client.get(url).status_code == 403, persona
        assert client.post(url, data).status_code == 403, persona
    assert client_for(council.other_leader).post(url, data).status_code == 403
    # Another municipality's sector leader: the report does not exist for them.
    assert client_for(council.their_leader).get(url).status_code == 404
    assert client_for(council.their_leader).post(url, data).status_code == 404
    assert not Treatment.objects.filter(report_year=council.report_year).exists()


def test_the_sector_leader_records_the_treatment_and_every_change_is_kept(
    cast, council, client_for
):
    client = client_for(cast["sector_leader"])
    url = reverse("reports:treatment-edit", args=[council.published.pk])
    response = client.post(
        url,
        {
            "committee": "Hovedutvalg for oppvekst",
            "committee_meeting_on": "2025-02-04",
            "council_meeting_on": "2025-02-20",
            "case_number": "2025/1234",
            "decision": "Kommunestyret tar tilstandsrapporten til orientering.",
        },
    )
    assert response.status_code == 302
    treatment = Treatment.objects.get(report_year=council.report_year)
    assert treatment.case_number == "2025/1234"
    client.post(
        url,
        {
            "committee": "Hovedutvalg for oppvekst",
            "committee_meeting_on": "2025-02-04",
            "council_meeting_on": "2025-02-20",
            "case_number": "2025/1240",
            "decision": "Kommunestyret tar tilstandsrapporten til orientering.",
        },
    )
    changes = list(TreatmentChange.objects.filter(treatment=treatment).order_by("pk"))
    assert len(changes) == 2
    assert changes[1].actor == cast["sector_leader"]
    assert changes[1].fields == [{"field": "Saksnummer", "old": "2025/1234", "new": "2025/1240"}]
    page = client.get(url).content.decode()
    assert "Historikk" in page
    assert "2025/1234" in page
    # Everyone who reads the report reads the treatment.
    detail = client_for(cast["elected_official"]).get(
        reverse("reports:report-detail", args=[council.published.pk])
    )
    text = detail.content.decode()
    assert "2025/1240" in text
    assert "tar tilstandsrapporten til orientering" in text
    assert reverse("reports:treatment-edit", args=[council.published.pk]) not in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"case_number": "1234"}, "Skriv saksnummeret som år/løpenummer, f.eks. 2025/1234."),
        ({"case_number": "2025/12a"}, "Skriv saksnummeret som år/løpenummer, f.eks. 2025/1234."),
        (
            {"committee_meeting_on": "2025-02-20", "council_meeting_on": "2025-02-04"},
            "Møtet i kommunestyret kan ikke være før møtet i utvalget.",
        ),
        ({"committee_meeting_on": "31.02.2025"}, "Skriv en gyldig dato"),
        ({"committee": "Hoved\u202eutvalg"}, "usynlige styretegn (U+202E)"),
        ({"decision": "Vedtak\u202e"}, "«Vedtak»: Teksten inneholder usynlige styretegn"),
        ({"decision": "x" * 10_001}, "10000"),
    ],
)
def test_bad_treatment_input_gets_a_norwegian_error_and_writes_nothing(
    cast, council, client_for, data, message
):
    response = client_for(cast["sector_leader"]).post(
        reverse("reports:treatment-edit", args=[council.published.pk]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Treatment.objects.exists()


def test_the_case_number_may_come_before_publishing_the_decision_only_after(
    cast, council, client_for
):
    client = client_for(cast["sector_leader"])
    url = reverse("reports:treatment-edit", args=[council.draft.pk])
    refused = client.post(url, {"case_number": "2026/77", "decision": "Tatt til orientering."})
    assert refused.status_code == 400
    assert "Vedtaket kan registreres først når rapporten er publisert" in refused.content.decode()
    assert client.post(url, {"case_number": "2026/77"}).status_code == 302
    report_year = report_year_for(quality_plan=council.plan, year=YEAR + 1)
    assert report_year.treatment.case_number == "2026/77"


# --- Follow-up items ------------------------------------------------------------------------


def test_only_the_sector_leader_adds_follow_up_items(cast, council, client_for):
    url = reverse("reports:follow-up-create", args=[council.published.pk])
    data = {"title": "Plan for lesing", "owner": council.owner.pk, "due_on": "2025-06-01"}
    for persona in READERS:
        client = client_for(cast[persona])
        assert client.get(url).status_code == 403, persona
        assert client.post(url, data).status_code == 403, persona
    assert client_for(council.their_leader).post(url, data).status_code == 404
    assert not FollowUpItem.objects.filter(report_year=council.report_year).exists()
    client = client_for(cast["sector_leader"])
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    item = FollowUpItem.objects.get(report_year=council.report_year)
    assert item.status == FollowUpStatus.NOT_STARTED
    assert item.status_changes.get().new_status == FollowUpStatus.NOT_STARTED


def test_follow_up_items_wait_for_a_published_version(cast, council, client_for):
    response = client_for(cast["sector_leader"]).post(
        reverse("reports:follow-up-create", args=[council.draft.pk]),
        {"title": "For tidlig", "owner": council.owner.pk, "due_on": "2026-06-01"},
    )
    assert response.status_code == 400
    assert "først når rapporten er publisert" in response.content.decode()
    assert not FollowUpItem.objects.filter(title="For tidlig").exists()


@pytest.mark.parametrize("who", ["elected_official", "other_municipality", "no_membership"])
def test_the_owner_must_be_in_this_municipalitys_administration(cast, council, client_for, who):
    owner = cast[who]
    response = client_for(cast["sector_leader"]).post(
        reverse("reports:follow-up-create", args=[council.published.pk]),
        {"title": "Plan for lesing", "owner": owner.pk, "due_on": "2025-06-01"},
    )
    assert response.status_code == 400
    assert (
        "Velg en ansvarlig fra listen over kommunens administrasjon." in response.content.decode()
    )
    # The service refuses as well, whoever calls it.
    with pytest.raises(Exception, match="administrasjon"):
        _item(council, cast, owner=owner)
    assert not FollowUpItem.objects.filter(report_year=council.report_year).exists()


def test_a_pending_membership_does_not_make_an_owner(cast, council):
    waiting = UserFactory(username="venter")
    MembershipFactory(
        user=waiting, municipality=cast.municipality, role=Role.BTI_COORDINATOR, pending=True
    )
    with pytest.raises(Exception, match="administrasjon"):
        _item(council, cast, owner=waiting)
    # A data admin is part of the administration.
    assert _item(council, cast, owner=cast["data_admin"]).owner == cast["data_admin"]


def test_the_owner_and_the_sector_leader_update_the_status_and_every_change_is_recorded(
    cast, council, client_for
):
    item = _item(council, cast)
    url = reverse("reports:follow-up-status", args=[item.pk])
    for persona in ("staff", "bti_coordinator", "elected_official", "data_admin"):
        client = client_for(cast[persona])
        assert client.get(url).status_code == 403, persona
        assert client.post(url, {"status": FollowUpStatus.DONE}).status_code == 403, persona
    assert client_for(council.other_leader).post(url, {"status": "fullfort"}).status_code == 403
    assert client_for(council.their_leader).get(url).status_code == 404
    item.refresh_from_db()
    assert item.status == FollowUpStatus.NOT_STARTED

    owner = client_for(council.owner)
    assert owner.get(url).status_code == 200
    response = owner.post(
        url, {"status": FollowUpStatus.IN_PROGRESS, "note": "Arbeidet er i gang."}
    )
    assert response.status_code == 302
    # The owner may not change what the item is.
    edit = reverse("reports:follow-up-edit", args=[item.pk])
    assert owner.get(edit).status_code == 403
    leader = client_for(cast["sector_leader"])
    leader.post(url, {"status": FollowUpStatus.DONE, "note": "Planen ble lagt fram i juni."})
    # Saving the same again records nothing.
    leader.post(url, {"status": FollowUpStatus.DONE, "note": "Planen ble lagt fram i juni."})
    changes = list(FollowUpStatusChange.objects.filter(item=item).order_by("pk"))
    assert [(c.old_status, c.new_status) for c in changes] == [
        ("", FollowUpStatus.NOT_STARTED),
        (FollowUpStatus.NOT_STARTED, FollowUpStatus.IN_PROGRESS),
        (FollowUpStatus.IN_PROGRESS, FollowUpStatus.DONE),
    ]
    assert changes[1].actor == council.owner
    assert changes[1].note == "Arbeidet er i gang."
    assert changes[2].actor == cast["sector_leader"]
    history = leader.get(url).content.decode()
    assert "Planen ble lagt fram i juni." in history
    assert "Pågår" in history


def test_a_bad_status_is_refused(cast, council, client_for):
    """By the form, and by the service whoever calls it."""
    item = _item(council, cast)
    response = client_for(council.owner).post(
        reverse("reports:follow-up-status", args=[item.pk]), {"status": "slettet"}
    )
    assert response.status_code == 400
    assert "Velg en av statusene i listen." in response.content.decode()
    with pytest.raises(ValidationError, match="Velg en av statusene i listen"):
        services.follow_up_item_status_update(
            item=item, user=cast["sector_leader"], status="slettet", note=""
        )


def test_the_sector_leader_edits_an_item(cast, council, client_for):
    item = _item(council, cast)
    url = reverse("reports:follow-up-edit", args=[item.pk])
    for persona in READERS:
        assert client_for(cast[persona]).post(url, {"title": "x"}).status_code == 403
    response = client_for(cast["sector_leader"]).post(
        url,
        {"title": "Ny tittel", "owner": council.other_leader.pk, "due_on": "2025-09-01"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.owner) == ("Ny tittel", council.other_leader)


def test_everyone_who_reads_the_report_sees_the_items(cast, council, client_for):
    item = _item(council, cast)
    url = reverse("reports:report-detail", args=[council.published.pk])
    for persona in (*READERS, "sector_leader"):
        text = client_for(cast[persona]).get(url).content.decode()
        assert item.title in text, persona
        assert "Nabokommunens punkt" not in text
    owner_page = client_for(council.owner).get(url).content.decode()
    assert reverse("reports:follow-up-status", args=[item.pk]) in owner_page
    other_page = client_for(council.other_leader).get(url).content.decode()
    assert reverse("reports:follow-up-status", args=[item.pk]) not in other_page


def test_the_overview_lists_open_items_overdue_first_for_the_sector_leader(
    cast, council, client_for, django_assert_max_num_queries
):
    today = timezone.localdate()
    later = _item(council, cast, title="Senere frist", due_on=today + datetime.timedelta(days=30))
    overdue = _item(council, cast, title="Forfalt punkt", due_on=today - datetime.timedelta(days=3))
    done = _item(council, cast, title="Ferdig punkt", due_on=today - datetime.timedelta(days=9))
    services.follow_up_item_status_update(
        item=done, user=cast["sector_leader"], status=FollowUpStatus.DONE, note=""
    )
    url = reverse("reports:follow-up-overview")
    for persona in READERS:
        assert client_for(cast[persona]).get(url).status_code == 403, persona
    client = client_for(cast["sector_leader"])
    client.get(url)
    with django_assert_max_num_queries(8):
        text = client.get(url).content.decode()
    assert text.index(overdue.title) < text.index(later.title)
    assert "Ferdig punkt" not in text
    assert "Nabokommunens punkt" not in text
    for number in range(40):
        _item(council, cast, title=f"Punkt {number}")
    with django_assert_max_num_queries(8):
        assert "Punkt 39" in client.get(url).content.decode()


# --- Questions and answers ------------------------------------------------------------------


def test_an_elected_official_asks_and_the_sector_leaders_get_a_link_only(
    cast, council, client_for, django_capture_on_commit_callbacks, tasks_in_process
):
    client = client_for(cast["elected_official"])
    detail = reverse("reports:report-detail", args=[council.published.pk])
    assert 'id="question-form"' in client.get(detail).content.decode()
    secret = "Hvorfor falt lesingen på 5. trinn i Solvik?"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:question-create", args=[council.published.pk]), {"text": secret}
        )
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.asked_by, question.report, question.report_year) == (
        cast["elected_official"],
        council.published,
        council.report_year,
    )
    assert [m.to for m in mail.outbox] == [[cast["sector_leader"].email]]
    body = mail.outbox[0].subject + mail.outbox[0].body
    assert detail in body
    assert "lesingen" not in body
    assert secret in client.get(detail).content.decode()


def test_questions_only_on_published_reports(cast, council, client_for):
    url = reverse("reports:question-create", args=[council.draft.pk])
    official = client_for(cast["elected_official"])
    assert official.get(url).status_code == 404
    assert official.post(url, {"text": "Hei?"}).status_code == 404
    # The sector leader sees the draft but cannot ask on it.
    assert client_for(cast["sector_leader"]).post(url, {"text": "Hei?"}).status_code == 403
    theirs = reverse("reports:question-create", args=[council.theirs.pk])
    assert official.post(theirs, {"text": "Hei?"}).status_code == 404
    assert not Question.objects.exists()
    with pytest.raises(Exception, match="publisert"):
        services.question_submit(report=council.draft, user=cast["sector_leader"], text="Hei?")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Skriv spørsmålet ditt."),
        ("   \u200b  ", "Skriv spørsmålet ditt."),
        ("Hvorfor\u202e?", "«Spørsmål»: Teksten inneholder usynlige styretegn (U+202E)"),
        ("x" * 2_001, "2000"),
    ],
)
def test_bad_questions_get_a_norwegian_error(cast, council, client_for, text, message):
    response = client_for(cast["elected_official"]).post(
        reverse("reports:question-create", args=[council.published.pk]), {"text": text}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_one_login_cannot_flood_the_sector_leaders(cast, council, client_for):
    official = cast["elected_official"]
    for number in range(MAX_OPEN_QUESTIONS):
        services.question_submit(report=council.published, user=official, text=f"Spørsmål {number}")
    response = client_for(official).post(
        reverse("reports:question-create", args=[council.published.pk]), {"text": "Ett til?"}
    )
    assert response.status_code == 400
    assert "Du har 10 spørsmål som ikke er besvart ennå." in response.content.decode()
    assert Question.objects.count() == MAX_OPEN_QUESTIONS
    # Once one is answered, the next may be sent.
    services.question_answer_save(
        question=Question.objects.first(), user=cast["sector_leader"], answer="Svar."
    )
    services.question_submit(report=council.published, user=official, text="Ett til?")


def test_only_the_sector_leader_answers_until_next_years_report_is_published(
    cast, council, client_for
):
    question = services.question_submit(
        report=council.published, user=cast["elected_official"], text="Hva koster tiltaket?"
    )
    url = reverse("reports:question-answer", args=[question.pk])
    for persona in READERS:
        client = client_for(cast[persona])
        assert client.get(url).status_code == 403, persona
        assert client.post(url, {"answer": "Nei."}).status_code == 403, persona
    assert client_for(council.their_leader).post(url, {"answer": "Nei."}).status_code == 404
    leader = client_for(cast["sector_leader"])
    assert leader.get(url).status_code == 200
    assert leader.post(url, {"answer": ""}).status_code == 400
    assert leader.post(url, {"answer": "Om lag 200 000 kroner."}).status_code == 302
    question.refresh_from_db()
    assert question.answered_by == cast["sector_leader"]
    first_answered = question.answered_at
    assert leader.post(url, {"answer": "Om lag 250 000 kroner."}).status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.answered_at) == ("Om lag 250 000 kroner.", first_answered)
    text = client_for(cast["elected_official"]).get(
        reverse("reports:report-detail", args=[council.published.pk])
    )
    assert "Om lag 250 000 kroner." in text.content.decode()
    # Next year's report is published with the answer in its appendix: frozen.
    StatusReport.objects.filter(pk=council.draft.pk).update(state=ReportState.PUBLISHED)
    leader = client_for(cast["sector_leader"])  # the one test client, signed in again
    assert leader.get(url).status_code == 403
    assert leader.post(url, {"answer": "Endret."}).status_code == 403
    with pytest.raises(Exception, match="kan ikke endres lenger"):
        services.question_answer_save(question=question, user=cast["sector_leader"], answer="x")


def test_what_hangs_on_an_unpublished_year_is_the_sector_leaders_alone(cast, council):
    draft_year = report_year_open(quality_plan=council.plan, year=YEAR + 1)
    item = FollowUpItem.objects.create(
        report_year=draft_year,
        title="Tidlig punkt",
        owner=council.owner,
        due_on=datetime.date(2026, 1, 1),
    )
    treatment = Treatment.objects.create(report_year=draft_year, case_number="2026/1")
    for persona in READERS:
        user = cast[persona]
        assert not FollowUpItem.objects.visible_to(user).filter(pk=item.pk).exists(), persona
        assert not Treatment.objects.visible_to(user).filter(pk=treatment.pk).exists(), persona
    leader = cast["sector_leader"]
    assert FollowUpItem.objects.visible_to(leader).filter(pk=item.pk).exists()
    assert not FollowUpItem.objects.visible_to(council.their_leader).filter(pk=item.pk).exists()


def test_the_report_page_reads_items_and_questions_in_a_fixed_number_of_queries(
    cast, council, client_for, django_assert_max_num_queries
):
    url = reverse("reports:report-detail", args=[council.published.pk])
    _item(council, cast)
    services.question_submit(
        report=council.published, user=cast["elected_official"], text="Ett?", notify=False
    )
    client = client_for(cast["sector_leader"])
    client.get(url)
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    askers = [cast[persona] for persona in ("staff", "unit_leader", "bti_coordinator")]
    for number in range(25):
        _item(council, cast, title=f"Punkt {number}")
        services.question_submit(
            report=council.published,
            user=askers[number % 3],
            text=f"Spørsmål {number}?",
            notify=False,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        text = client.get(url).content.decode()
    assert "Punkt 24" in text
    assert "Spørsmål 24?" in text
