"""The administration's assessment under KS's five questions: who writes what (the sector
leader everything, an invited writer only their part, nobody else — an elected official
least of all), the draft → review → final flow, the history, the text in the report and
its PDF, and publishing refused until every question is answered, final and rendered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans.models import Membership, Role
from reports.models import (
    Assessment,
    AssessmentChange,
    AssessmentQuestion,
    AssessmentState,
    ReportState,
    StatusReport,
)
from reports.selectors.assessments import assessment_publish_problems
from reports.services import assessments as assessment_services
from reports.services import status_reports as services
from tests.reports.conftest import order_and_render, pdf_text, publish, write_assessments
from tests.reports.synthetic import _user, build_world

QUESTIONS = [question.value for question in AssessmentQuestion]


def _form(**answers) -> dict[str, str]:
    """The edit form's POST: every question's text (empty unless given), «Ingen endring»
    ticked for the questions given as True."""
    data = {}
    for key in QUESTIONS:
        value = answers.get(key, "")
        if value is True:
            data[f"{key}_no_change"] = "on"
            data[f"{key}_text"] = ""
        else:
            data[f"{key}_text"] = value
    return data


@pytest.fixture
def writing(world):
    """The world, its report year opened, a unit leader invited to the first area's
    assessment, and the other personas."""
    report_year = assessment_services.assessments_start(quality_plan=world.plan, year=world.year)
    first = report_year.assessments.get(area=world.areas[0])
    second = report_year.assessments.get(area=world.areas[1])
    whole = report_year.assessments.get(area=None)
    writer = _user("skribent", world.municipality, Role.UNIT_LEADER)
    Membership.objects.filter(user=writer).update(unit=world.units[0])
    uninvited = _user("rektor", world.municipality, Role.UNIT_LEADER)
    data_admin = _user("dataansvarlig", world.municipality, Role.DATA_ADMIN)
    assessment_services.assessment_writer_add(
        assessment=first, user=world.sector_leader, invitee=writer
    )
    other = build_world(name="Nabovik kommune", number="9951", username_prefix="nabo-", areas=1)
    return {
        "world": world,
        "year": report_year,
        "first": first,
        "second": second,
        "whole": whole,
        "writer": writer,
        "uninvited": uninvited,
        "data_admin": data_admin,
        "other": other.sector_leader,
    }


# --- The model ------------------------------------------------------------------------------


def test_one_assessment_per_area_and_one_for_the_whole_report(writing):
    world = writing["world"]
    assert writing["year"].assessments.count() == len(world.areas) + 1
    # Starting again makes nothing new.
    assessment_services.assessments_start(quality_plan=world.plan, year=world.year)
    assert writing["year"].assessments.count() == len(world.areas) + 1
    from django.db import IntegrityError, transaction

    for area in (None, world.areas[0]):
        with pytest.raises(IntegrityError), transaction.atomic():
            Assessment.objects.create(
                municipality=world.municipality, report_year=writing["year"], area=area
            )


def test_no_change_is_an_answer_of_its_own_and_a_text_with_it_is_refused(writing):
    whole = writing["whole"]
    leader = writing["world"].sector_leader
    assessment_services.assessment_update(
        assessment=whole, user=leader, answers={"need_for_change": ("", True)}
    )
    whole.refresh_from_db()
    assert whole.need_for_change_no_change is True
    assert AssessmentQuestion.NEED_FOR_CHANGE not in whole.unanswered()
    assert AssessmentQuestion.WHERE_ARE_WE in whole.unanswered()
    with pytest.raises(ValidationError, match="enten «Ingen endring» eller skriv en tekst"):
        assessment_services.assessment_update(
            assessment=whole, user=leader, answers={"where_to": ("Vi vil dit.", True)}
        )


def test_bad_text_is_refused_naming_the_question_and_nothing_is_written(writing):
    whole = writing["whole"]
    leader = writing["world"].sector_leader
    with pytest.raises(ValidationError) as error:
        assessment_services.assessment_update(
            assessment=whole,
            user=leader,
            answers={
                "where_are_we": ("God tekst", False),
                "how": ("Skjult \u202eretning", False),
                "where_to": ("x" * 5001, False),
            },
        )
    messages = " ".join(error.value.messages)
    assert "«Hvordan får vi det til?» inneholder usynlige styretegn (U+202E)" in messages
    assert (
        "«Hvor vil vi?» kan ikke være lengre enn 5\xa0000 tegn (teksten har 5\xa0001)" in messages
    )
    whole.refresh_from_db()
    assert whole.where_are_we_text == ""
    assert not AssessmentChange.objects.filter(assessment=whole).exists()
    # Zero-width characters are removed, line breaks kept.
    assessment_services.assessment_update(
        assessment=whole,
        user=leader,
        answers={"where_are_we": ("  Linje\u200b én\r\nLinje to  ", False)},
    )
    whole.refresh_from_db()
    assert whole.where_are_we_text == "Linje én\nLinje to"


# --- Flow and history -----------------------------------------------------------------------


def test_flow_draft_review_final_and_back_with_a_comment_all_in_the_history(writing):
    first = writing["first"]
    leader, writer = writing["world"].sector_leader, writing["writer"]
    assessment_services.assessment_update(
        assessment=first,
        user=writer,
        answers={key: (f"Svar på {key}", False) for key in QUESTIONS},
    )
    first = assessment_services.assessment_submit(assessment=first, user=writer)
    assert first.state == AssessmentState.REVIEW
    with pytest.raises(ValidationError, match="Bare et utkast"):
        assessment_services.assessment_submit(assessment=first, user=writer)
    first = assessment_services.assessment_approve(assessment=first, user=leader)
    assert first.state == AssessmentState.FINAL
    with pytest.raises(ValidationError, match="Vurderingen er ferdig"):
        assessment_services.assessment_update(
            assessment=first, user=leader, answers={"how": ("Ny tekst", False)}
        )
    with pytest.raises(ValidationError, match="Skriv en kommentar"):
        assessment_services.assessment_return(assessment=first, user=leader, comment="  ")
    first = assessment_services.assessment_return(
        assessment=first, user=leader, comment="Skriv mer om skolene."
    )
    assert (first.state, first.return_comment) == (AssessmentState.DRAFT, "Skriv mer om skolene.")
    assessment_services.assessment_update(
        assessment=first, user=writer, answers={"how": ("Ny tekst", False)}
    )
    changes = list(first.changes.order_by("at", "pk"))
    assert [c.action for c in changes] == [
        "Skribent invitert",
        "Tekst endret",
        "Sendt til gjennomsyn",
        "Satt til ferdig",
        "Sendt tilbake til utkast",
        "Tekst endret",
    ]
    assert changes[1].actor == writer
    assert {f["field"] for f in changes[1].fields} == {q.label for q in AssessmentQuestion}
    assert changes[-1].fields == [
        {"field": "Hvordan får vi det til?", "old": "Svar på how", "new": "Ny tekst"}
    ]
    assert changes[4].fields[1] == {"field": "Kommentar", "old": "", "new": "Skriv mer om skolene."}
    # An unchanged save records nothing.
    assessment_services.assessment_update(
        assessment=first, user=writer, answers={"how": ("Ny tekst", False)}
    )
    assert first.changes.count() == len(changes)


def test_final_needs_every_question_answered(writing):
    whole = writing["whole"]
    leader = writing["world"].sector_leader
    assessment_services.assessment_update(
        assessment=whole, user=leader, answers={"where_are_we": ("Her.", False)}
    )
    with pytest.raises(ValidationError) as error:
        assessment_services.assessment_approve(assessment=whole, user=leader)
    assert "«Behov for endring?»" in error.value.messages[0]
    assert "«Hvor er vi?»" not in error.value.messages[0]


def test_only_members_who_are_not_elected_officials_can_be_invited(writing):
    world = writing["world"]
    with pytest.raises(ValidationError, match="Folkevalgte kan ikke inviteres"):
        assessment_services.assessment_writer_add(
            assessment=writing["whole"], user=world.sector_leader, invitee=world.official
        )
    with pytest.raises(ValidationError, match="ikke medlem av kommunen"):
        assessment_services.assessment_writer_add(
            assessment=writing["whole"], user=world.sector_leader, invitee=writing["other"]
        )
    with pytest.raises(ValidationError, match="allerede invitert"):
        assessment_services.assessment_writer_add(
            assessment=writing["first"], user=world.sector_leader, invitee=writing["writer"]
        )


# --- Pages, persona by persona ---------------------------------------------------------------


def _urls(writing):
    first, second = writing["first"], writing["second"]
    return {
        "year": reverse("reports:assessment-year", args=[writing["year"].pk]),
        "first": reverse("reports:assessment-edit", args=[first.pk]),
        "first-history": reverse("reports:assessment-history", args=[first.pk]),
        "second": reverse("reports:assessment-edit", args=[second.pk]),
        "whole": reverse("reports:assessment-edit", args=[writing["whole"].pk]),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("sector_leader", {"year": 200, "first": 200, "first-history": 200, "second": 200}),
        ("writer", {"year": 200, "first": 200, "first-history": 200, "second": 404}),
        ("uninvited", {"year": 404, "first": 404, "first-history": 404, "second": 404}),
        ("data_admin", {"year": 404, "first": 404, "first-history": 404, "second": 404}),
        ("official", {"year": 404, "first": 404, "first-history": 404, "second": 404}),
        ("other", {"year": 404, "first": 404, "first-history": 404, "second": 404}),
    ],
)
def test_who_reads_the_writing_pages(writing, client, persona, expected):
    world = writing["world"]
    users = {"sector_leader": world.sector_leader, "official": world.official, **writing}
    client.force_login(users[persona])
    urls = _urls(writing)
    got = {name: client.get(urls[name]).status_code for name in expected}
    assert got == expected


def test_an_invited_official_still_sees_no_draft(writing, client):
    """Even a writer row made behind the services' back gives an elected official nothing."""
    world = writing["world"]
    writing["first"].writers.create(user=world.official)
    client.force_login(world.official)
    assert client.get(_urls(writing)["first"]).status_code == 404
    assert not world.official.has_perm("reports.view_assessment", writing["first"])


@pytest.mark.parametrize("persona", ["uninvited", "data_admin", "official", "other", "writer"])
def test_posting_a_part_one_may_not_write_changes_nothing(writing, client, persona):
    world = writing["world"]
    users = {"official": world.official, **writing}
    client.force_login(users[persona])
    target = writing["second"]  # the writer is invited to the first area only
    for url, data in [
        (reverse("reports:assessment-edit", args=[target.pk]), _form(where_are_we="Inntrenger")),
        (reverse("reports:assessment-submit", args=[target.pk]), {}),
        (reverse("reports:assessment-approve", args=[target.pk]), {}),
        (reverse("reports:assessment-invite", args=[target.pk]), {"user": users[persona].pk}),
    ]:
        assert client.post(url, data).status_code == 404
    target.refresh_from_db()
    assert target.where_are_we_text == ""
    assert target.state == AssessmentState.DRAFT
    assert not target.writers.exists()


def test_the_invited_writer_writes_and_sends_to_review_but_never_sets_final(writing, client):
    first = writing["first"]
    client.force_login(writing["writer"])
    page = client.get(reverse("reports:assessment-edit", args=[first.pk])).content.decode()
    # The area's figures beside the text.
    assert "Indikator 1.1 for Testvik kommune" in page
    assert "Tallene for året" in page
    assert "Sett til ferdig" not in page
    assert "Inviter en skribent" not in page
    data = _form(
        where_are_we="Trivselen er god.",
        need_for_change=True,
        where_to="Alle skal ha en venn.",
        who_does_what="Rektorene leder arbeidet.",
        how="Vi bruker kollegaveiledning.",
    )
    response = client.post(reverse("reports:assessment-edit", args=[first.pk]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.where_are_we_text == "Trivselen er god."
    assert first.need_for_change_no_change
    assert first.updated_by == writing["writer"]
    assert client.post(reverse("reports:assessment-approve", args=[first.pk])).status_code == 403
    assert (
        client.post(
            reverse("reports:assessment-return", args=[first.pk]), {"comment": "Nei"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("reports:assessment-invite", args=[first.pk]), {"user": writing["uninvited"].pk}
        ).status_code
        == 403
    )
    assert client.post(reverse("reports:assessment-submit", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.state == AssessmentState.REVIEW
    assert not first.writers.filter(user=writing["uninvited"]).exists()
    history = client.get(reverse("reports:assessment-history", args=[first.pk])).content.decode()
    assert "<ins>Trivselen er god.</ins>" in history
    assert "Sendt til gjennomsyn" in history


def test_the_sector_leader_sets_final_sends_back_and_invites(writing, client):
    first = writing["first"]
    world = writing["world"]
    client.force_login(world.sector_leader)
    edit = reverse("reports:assessment-edit", args=[first.pk])
    response = client.post(edit, _form(where_are_we="Bare ett svar"))
    assert response.status_code == 302
    # Final with questions unanswered: refused, with the questions named.
    response = client.post(reverse("reports:assessment-approve", args=[first.pk]), follow=True)
    assert "Behov for endring?" in response.content.decode()
    first.refresh_from_db()
    assert first.state == AssessmentState.DRAFT
    client.post(edit, _form(**dict.fromkeys(QUESTIONS, True)))
    client.post(reverse("reports:assessment-approve", args=[first.pk]))
    first.refresh_from_db()
    assert first.state == AssessmentState.FINAL
    # A final text is not edited: the form is gone and a POST is refused.
    page = client.get(edit).content.decode()
    assert "Lagre teksten" not in page
    assert client.post(edit, _form(how="Etterpå")).status_code == 403
    response = client.post(reverse("reports:assessment-return", args=[first.pk]), {"comment": ""})
    first.refresh_from_db()
    assert first.state == AssessmentState.FINAL
    client.post(reverse("reports:assessment-return", args=[first.pk]), {"comment": "Utdyp."})
    first.refresh_from_db()
    assert (first.state, first.return_comment) == (AssessmentState.DRAFT, "Utdyp.")
    # Invite: the official is not offered, and refused when posted.
    page = client.get(edit).content.decode()
    assert f'value="{writing["uninvited"].pk}"' in page
    assert f'value="{world.official.pk}"' not in page
    client.post(reverse("reports:assessment-invite", args=[first.pk]), {"user": world.official.pk})
    assert not first.writers.filter(user=world.official).exists()
    client.post(
        reverse("reports:assessment-invite", args=[first.pk]), {"user": writing["uninvited"].pk}
    )
    assert first.writers.filter(user=writing["uninvited"]).exists()


def test_the_edit_form_shows_errors_in_norwegian_and_keeps_the_text(writing, client):
    client.force_login(writing["world"].sector_leader)
    edit = reverse("reports:assessment-edit", args=[writing["whole"].pk])
    response = client.post(edit, {**_form(where_to="Begge deler"), "where_to_no_change": "on"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "velg enten «Ingen endring» eller skriv en tekst" in text
    assert "Begge deler" in text
    response = client.post(edit, _form(how="a" * 5001))
    assert response.status_code == 400
    writing["whole"].refresh_from_db()
    assert writing["whole"].how_text == ""


def test_writing_starts_from_the_report_list_before_ordering(world, client):
    client.force_login(world.sector_leader)
    listing = client.get(reverse("reports:report-list")).content.decode()
    assert "Skriv vurderingen" in listing
    response = client.post(
        reverse("reports:assessment-start"), {"quality_plan": world.plan.pk, "year": world.year}
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(report_year__quality_plan=world.plan).count() == 5
    listing = client.get(reverse("reports:report-list")).content.decode()
    assert response["Location"] in listing
    client.force_login(world.official)
    assert "Skriv vurderingen" not in client.get(reverse("reports:report-list")).content.decode()
    response = client.post(
        reverse("reports:assessment-start"), {"quality_plan": world.plan.pk, "year": world.year}
    )
    assert response.status_code == 403


def test_the_year_page_lists_parts_with_few_queries(writing, client, django_assert_max_num_queries):
    client.force_login(writing["world"].sector_leader)
    with django_assert_max_num_queries(12):
        page = client.get(_urls(writing)["year"]).content.decode()
    for area in writing["world"].areas:
        assert area.name in page
    assert "Hele rapporten" in page


# --- The report ------------------------------------------------------------------------------


def test_the_text_is_in_the_report_page_and_the_pdf_under_the_five_questions(world, client):
    write_assessments(plan=world.plan, year=world.year, user=world.sector_leader)
    report = order_and_render(world)
    area_entry = report.snapshot["areas"][0]["assessment"]
    assert [q["question"] for q in area_entry["questions"]] == [
        str(q.label) for q in AssessmentQuestion
    ]
    assert report.snapshot["assessment"]["whole"]["questions"][0]["text"].startswith(
        "Hele rapporten: Hvor er vi?"
    )
    assert report.snapshot["assessment"]["text_changed_at"]
    client.force_login(world.sector_leader)
    html = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    assert "Administrasjonens vurdering" in html
    assert "Hele rapporten: Hvor er vi? – vurdert av administrasjonen." in html
    assert f"{world.areas[0].name}: Hvem gjør hva? – vurdert av administrasjonen." in html
    assert "Ingen endring." in html
    text = pdf_text(report)
    for question in AssessmentQuestion:
        assert str(question.label) in text
    assert "Hele rapporten: Hvordan får vi det til? – vurdert av administrasjonen." in text
    assert "Ingen endring." in text


def test_publishing_is_refused_while_text_is_missing_not_final_or_changed(world, client):
    leader = world.sector_leader
    report = order_and_render(world)
    with pytest.raises(ValidationError) as error:
        services.status_report_publish(report=report, user=leader)
    assert "Hele rapporten: administrasjonens vurdering er ikke skrevet." in error.value.messages
    # Written but not final, one question left open in the second area.
    report_year = write_assessments(plan=world.plan, year=world.year, user=leader, approve=False)
    second = report_year.assessments.get(area=world.areas[1])
    assessment_services.assessment_update(
        assessment=second, user=leader, answers={"where_to": ("", False)}
    )
    problems = assessment_publish_problems(report=report)
    assert f"{world.areas[1].name}: «Hvor vil vi?» er ikke besvart." in problems
    assert "Hele rapporten: vurderingen er ikke satt til ferdig (Utkast)." in problems
    # The detail page lists them and offers no working publish button.
    client.force_login(leader)
    detail = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "Dette mangler før rapporten kan publiseres" in detail
    assert "«Hvor vil vi?» er ikke besvart" in detail
    assert reverse("reports:report-publish", args=[report.pk]) not in detail
    response = client.post(reverse("reports:report-publish", args=[report.pk]), follow=True)
    assert "Rapporten kan ikke publiseres ennå" in response.content.decode()
    assert StatusReport.objects.get(pk=report.pk).state == ReportState.READY
    # All answered and final — but the draft was rendered before: stale.
    assessment_services.assessment_update(
        assessment=second, user=leader, answers={"where_to": ("Dit.", False)}
    )
    for assessment in report_year.assessments.all():
        assessment_services.assessment_approve(assessment=assessment, user=leader)
    with pytest.raises(ValidationError) as error:
        services.status_report_publish(report=report, user=leader)
    assert error.value.messages == [
        "Rapporten kan ikke publiseres ennå:",
        "Teksten er endret etter at utkastet ble laget. Lag utkastet på nytt før rapporten "
        "publiseres.",
    ]
    # Rendered again: published, with the text.
    services.status_report_retry(report=report, user=leader)
    services.status_report_render(report_id=report.pk, task_id="again")
    report.refresh_from_db()
    assert report.state == ReportState.READY
    assert assessment_publish_problems(report=report) == []
    report = publish(report, leader)
    assert report.state == ReportState.PUBLISHED
    assert "Dit." in pdf_text(report)
    # The elected official reads the text in the published report, and nowhere else.
    client.force_login(world.official)
    read = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    assert "Hele rapporten: Hvor er vi? – vurdert av administrasjonen." in read
    assert client.get(reverse("reports:assessment-edit", args=[second.pk])).status_code == 404


def test_a_state_change_alone_does_not_make_the_draft_stale(world):
    leader = world.sector_leader
    report_year = write_assessments(plan=world.plan, year=world.year, user=leader, approve=False)
    report = order_and_render(world)
    for assessment in report_year.assessments.all():
        assessment_services.assessment_approve(assessment=assessment, user=leader)
    assert assessment_publish_problems(report=report) == []


def test_starting_for_a_year_outside_the_list_is_refused_in_norwegian(world, client):
    client.force_login(world.sector_leader)
    response = client.post(
        reverse("reports:assessment-start"),
        {"quality_plan": world.plan.pk, "year": 1999},
        follow=True,
    )
    assert "Velg et skoleår i listen." in response.content.decode()
    assert "errorlist" not in response.content.decode()
    assert not Assessment.objects.exists()
