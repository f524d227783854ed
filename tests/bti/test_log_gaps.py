"""Issue 19, point 5: a log before birth (the health station, an expected date, the
pregnant woman's consent, the birth recorded), the child's and the family's view at every
evaluation and decision, and who was at a log meeting."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from btitracker import crypto
from btitracker.models import (
    AccessEvent,
    CaseDecision,
    Child,
    ConsentKind,
    Evaluation,
    Meeting,
    StatEvent,
)
from btitracker.selectors.cases import case_printout_context
from btitracker.services import cases as services
from tests.bti.helpers import (
    CHILD_BIRTH,
    CHILD_NAME,
    EXPECTING_PARENT,
    VIEWS,
    VIEWS_POST,
    build_unborn,
    login_verified,
)

TODAY = timezone.localdate()
MEGABYTE = "x" * (1024 * 1024)
BIDI = "Fiktivt \u202esyn"


@pytest.fixture
def unborn(cast, bti):
    return build_unborn(cast)


def _health_concern(bti, observation="Fiktiv: en annen gravid."):
    bands = services.concern_bands_ensure(municipality=bti.health_station.municipality)
    return services.concern_create(
        actor=bti.nurse, unit=bti.health_station, observation=observation, band=bands[0]
    )


# --- Before birth ------------------------------------------------------------------------


def test_a_health_station_log_before_birth_is_the_expected_child_of_the_pregnant_woman(
    unborn, client, bti
):
    child = unborn.case.child
    assert child.is_unborn
    assert child.birth_date is None
    assert child.name == f"Barn av {EXPECTING_PARENT}"
    assert child.expecting_parent == EXPECTING_PARENT
    assert child.lookup_hash == crypto.child_lookup_hash(child.name, child.expected_on)
    assert child.age_on(TODAY) == 0
    # The statistics count it as 0 years (not unknown), like any child under one.
    stats = StatEvent.objects.filter(unit_kind="helsestasjon")
    assert {(row.level, row.age_years, row.age_band) for row in stats} == {
        (0, 0, "0-5"),
        (1, 0, "0-5"),
    }
    # The holder reads it, with the expected date in place of the birth date, and the
    # search finds it by «Barn av <name>» and the expected date.
    login_verified(client, bti.nurse)
    page = client.get(reverse("bti:case-detail", args=[unborn.case.pk])).content.decode()
    assert "ikke født ennå, termin" in page
    assert "Registrer fødselen" in page
    found = client.post(
        reverse("bti:search"),
        {"child_name": f"barn av {EXPECTING_PARENT}", "birth_date": child.expected_on},
    )
    assert f"Stafettlogg nr. {unborn.case.pk}" in found.content.decode()


def test_registering_the_same_pregnancy_twice_is_one_record(unborn, bti):
    again = services.unborn_child_find_or_create(
        municipality=bti.health_station.municipality,
        expecting_parent=f"  {EXPECTING_PARENT.upper()}\u200b",
        expected_on=unborn.case.child.expected_on,
    )
    assert again.pk == unborn.case.child.pk


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"expecting_parent": EXPECTING_PARENT}, "expected_on", "både den gravides navn"),
        (
            {"expecting_parent": EXPECTING_PARENT, "expected_on": TODAY + datetime.timedelta(400)},
            "expected_on",
            "mer enn 9 måneder fram",
        ),
        (
            {"expecting_parent": EXPECTING_PARENT, "expected_on": TODAY - datetime.timedelta(60)},
            "expected_on",
            "én måned tilbake",
        ),
        (
            {"expecting_parent": "Fiktiv \u202eGravid", "expected_on": TODAY},
            "expecting_parent",
            "styretegn",
        ),
    ],
)
def test_a_log_before_birth_needs_a_name_and_a_plausible_expected_date(
    cast, bti, fields, field, message
):
    concern = _health_concern(bti)
    leader = build_unborn(cast).leader
    with pytest.raises(ValidationError) as refused:
        services.concern_decide(
            actor=leader,
            concern=concern,
            decision="niva1",
            holder=bti.nurse,
            views=VIEWS,
            **fields,
        )
    assert message in " ".join(refused.value.message_dict[field])
    concern.refresh_from_db()
    assert concern.is_pending
    assert concern.child is None


def test_only_the_health_station_starts_a_log_before_birth(cast, bti):
    with pytest.raises(ValidationError) as refused:
        services.concern_decide(
            actor=cast["unit_leader"],
            concern=bti.pending_concern,
            decision="niva1",
            expecting_parent=EXPECTING_PARENT,
            expected_on=TODAY + datetime.timedelta(days=30),
            holder=cast["staff"],
            views=VIEWS,
        )
    assert "Bare helsestasjonen" in refused.value.message_dict["expecting_parent"][0]
    # And the school's decision form does not offer it.
    page = _decide_page(cast, bti)
    assert 'name="expecting_parent"' not in page


def _decide_page(cast, bti):
    from django.test import Client

    client = Client()
    login_verified(client, cast["unit_leader"])
    url = reverse("bti:concern-decide", args=[bti.pending_concern.pk])
    return client.get(url).content.decode()


def test_the_decision_form_at_the_health_station_opens_a_log_before_birth(cast, bti, client):
    leader = build_unborn(cast).leader
    concern = _health_concern(bti, "Fiktiv: en tredje gravid.")
    login_verified(client, leader)
    url = reverse("bti:concern-decide", args=[concern.pk])
    assert 'name="expected_on"' in client.get(url).content.decode()
    expected = TODAY + datetime.timedelta(days=100)
    response = client.post(
        url,
        {
            "decision": "niva1",
            "expecting_parent": "Fiktiv Mor",
            "expected_on": expected.isoformat(),
            "holder": bti.nurse.pk,
            "family_view": "Fiktivt: ønsker hjelp.",
            "views_missing_reason": "Barnet er ikke født.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concern.refresh_from_db()
    assert concern.child.name == "Barn av Fiktiv Mor"
    assert concern.child.expected_on == expected
    assert concern.views_missing_reason == "Barnet er ikke født."


def test_before_birth_the_pregnant_woman_consents_and_after_it_the_guardians(unborn, bti):
    case = unborn.case
    health = bti.health_station

    def consent(kind):
        return services.consent_record(
            actor=bti.nurse,
            case=case,
            kind=kind,
            given_by="Fiktiv Forelder",
            given_on=TODAY,
            services=[health],
        )

    with pytest.raises(ValidationError) as refused:
        consent(ConsentKind.GUARDIAN)
    assert "den gravide som samtykker" in refused.value.message_dict["kind"][0]
    services.child_birth_record(
        actor=bti.nurse, case=case, name="Fiktiv Nyfødtsen", birth_date=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        consent(ConsentKind.EXPECTING)
    assert "Barnet er født" in refused.value.message_dict["kind"][0]
    assert consent(ConsentKind.GUARDIAN).kind == ConsentKind.GUARDIAN


def test_the_consent_form_offers_the_kind_that_fits(unborn, bti, client):
    login_verified(client, bti.nurse)
    page = client.get(reverse("bti:case-consent-add", args=[unborn.case.pk])).content.decode()
    assert 'value="gravid"' in page
    assert 'value="foresatte"' not in page


# --- The birth ---------------------------------------------------------------------------


def test_the_holder_records_the_birth_and_the_access_log_links_both_pseudonyms(unborn, bti, client):
    case = unborn.case
    before = case.child
    login_verified(client, bti.nurse)
    url = reverse("bti:case-birth", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Fiktiv Nyfødtsen", "birth_date": TODAY.isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    child = Child.objects.get(pk=before.pk)
    assert (child.name, child.birth_date) == ("Fiktiv Nyfødtsen", TODAY)
    assert child.expected_on == before.expected_on  # kept
    assert child.expecting_parent == EXPECTING_PARENT
    assert child.born_recorded_at is not None
    assert child.lookup_hash == crypto.child_lookup_hash("Fiktiv Nyfødtsen", TODAY)
    events = AccessEvent.objects.filter(case_id=case.pk, action="birth_recorded")
    assert {e.child_pseudonym for e in events} == {
        crypto.pseudonym(before.lookup_hash),
        crypto.pseudonym(child.lookup_hash),
    }
    page = client.get(reverse("bti:case-detail", args=[case.pk])).content.decode()
    assert "termin var" in page
    assert "Registrer fødselen" not in page
    # Once born, the page is gone.
    assert client.get(url).status_code == 404


def test_only_the_holder_records_the_birth(unborn, bti, cast, client):
    url = reverse("bti:case-birth", args=[unborn.case.pk])
    for user in (cast["staff"], unborn.leader, bti.outsider):
        client.logout()
        login_verified(client, user)
        assert client.post(url, {"name": "Fiktiv Ny", "birth_date": TODAY}).status_code in (
            403,
            404,
        )
    assert Child.objects.get(pk=unborn.case.child_id).is_unborn


@pytest.mark.parametrize(
    ("name", "birth_date", "field", "message"),
    [
        ("Fiktiv Ny", TODAY + datetime.timedelta(days=1), "birth_date", "fram i tid"),
        ("Fiktiv \u202eNy", TODAY, "name", "styretegn"),
        ("x" * 201, TODAY, "name", "200"),
    ],
)
def test_a_birth_with_a_bad_name_or_date_is_refused(
    unborn, bti, client, name, birth_date, field, message
):
    login_verified(client, bti.nurse)
    response = client.post(
        reverse("bti:case-birth", args=[unborn.case.pk]),
        {"name": name, "birth_date": birth_date.isoformat()},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Child.objects.get(pk=unborn.case.child_id).is_unborn


def test_a_birth_that_duplicates_a_known_child_is_refused_not_merged(unborn, bti):
    known = bti.case.child
    assert known.name == CHILD_NAME
    with pytest.raises(ValidationError) as refused:
        services.child_birth_record(
            actor=bti.nurse, case=unborn.case, name=CHILD_NAME, birth_date=CHILD_BIRTH
        )
    assert "allerede registrert" in refused.value.message_dict["name"][0]
    assert Child.objects.get(pk=unborn.case.child_id).is_unborn
    assert Child.objects.get(pk=known.pk).cases.count() == 1
    assert AccessEvent.objects.filter(
        case_id=unborn.case.pk, action="birth_recorded", outcome="avvist"
    ).exists()


# --- The child's and the family's view -----------------------------------------------------


def _evaluate(client, bti, **fields):
    url = reverse("bti:case-action-evaluate", args=[bti.case.pk, bti.action.pk])
    return client.post(
        url,
        {"evaluated_on": TODAY.isoformat(), "text": "Fiktiv evaluering", "status": "pagar"}
        | fields,
    )


def test_an_evaluation_needs_both_views_or_why_not(cast, bti, client):
    login_verified(client, cast["staff"])
    response = _evaluate(client, bti)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv hva barnet eller ungdommen mener" in body
    assert "Skriv hva familien mener" in body
    response = _evaluate(client, bti, child_view="Fiktivt: liker det.")
    assert response.status_code == 400
    assert not Evaluation.objects.exists()
    response = _evaluate(
        client, bti, child_view="Fiktivt: liker det.", views_missing_reason="Fiktivt: syk."
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.child_view, evaluation.family_view) == ("Fiktivt: liker det.", "")
    assert evaluation.views_missing_reason == "Fiktivt: syk."
    page = client.get(reverse("bti:case-detail", args=[bti.case.pk])).content.decode()
    assert "Ikke innhentet fordi:" in page
    assert "Fiktivt: syk." in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"child_view": MEGABYTE, "family_view": "Fiktivt"}, "10000"),
        ({"child_view": BIDI, "family_view": "Fiktivt"}, "U+202E"),
        ({"views_missing_reason": "y" * 2001}, "2000"),
    ],
)
def test_views_refuse_a_megabyte_and_steering_characters(cast, bti, client, fields, message):
    login_verified(client, cast["staff"])
    response = _evaluate(client, bti, **fields)
    assert response.status_code == 400
    assert message in response.content.decode().replace("\xa0", "").replace(" ", "")
    assert not Evaluation.objects.exists()


def test_the_service_refuses_views_the_form_would_refuse(bti):
    with pytest.raises(ValidationError) as refused:
        services.action_evaluate(
            actor=bti.case.holder,
            action=bti.action,
            evaluated_on=TODAY,
            text="Fiktiv",
            status="pagar",
            views=services.OwnViewsInput(child_view=BIDI, family_view="Fiktivt"),
        )
    assert "styretegn" in refused.value.message_dict["child_view"][0]
    assert not Evaluation.objects.exists()


def test_a_level_change_is_a_decision_with_the_views(cast, bti, client):
    login_verified(client, cast["staff"])
    url = reverse("bti:case-level", args=[bti.case.pk])
    assert client.post(url, {"level": "2"}).status_code == 400
    bti.case.refresh_from_db()
    assert bti.case.level == 1
    assert client.post(url, {"level": "2", **VIEWS_POST}).status_code == 302
    decision = CaseDecision.objects.get(case=bti.case)
    assert (decision.kind, decision.level_from, decision.level_to) == ("niva", 1, 2)
    assert decision.child_view == VIEWS.child_view
    page = client.get(reverse("bti:case-detail", args=[bti.case.pk])).content.decode()
    assert "fra nivå 1 til 2" in page
    assert VIEWS.family_view in page


def test_a_level_0_decision_needs_the_views_but_a_report_never_waits(cast, bti):
    with pytest.raises(ValidationError) as refused:
        services.concern_decide(
            actor=cast["unit_leader"], concern=bti.pending_concern, decision="avsluttet"
        )
    assert "child_view" in refused.value.message_dict
    services.concern_decide(
        actor=cast["unit_leader"], concern=bti.pending_concern, decision="barnevern"
    )
    bti.pending_concern.refresh_from_db()
    assert bti.pending_concern.decision == "barnevern"


def test_rows_from_before_the_views_were_asked_still_show(cast, bti, client):
    # An evaluation and a meeting as they were stored before this change: no views, no
    # participants. The log and its printout show them without complaint.
    Evaluation.objects.create(
        action=bti.action, evaluated_on=TODAY, text="Fiktiv gammel", evaluated_by=bti.nurse
    )
    Meeting.objects.create(
        case=bti.case, held_on=TODAY, summary="Fiktivt gammelt møte", created_by=bti.nurse
    )
    login_verified(client, cast["staff"])
    page = client.get(reverse("bti:case-detail", args=[bti.case.pk])).content.decode()
    assert "Fiktiv gammel" in page
    assert "Fiktivt gammelt møte" in page
    assert "Ikke innhentet fordi" not in page
    assert "Til stede:" not in page


# --- Who was at a meeting ----------------------------------------------------------------


def _meeting_post(bti, **fields):
    holder = bti.case.team.get(user=bti.case.holder)
    return {
        "held_on": TODAY.isoformat(),
        "summary": "Fiktivt referat",
        "tiltak-TOTAL_FORMS": "1",
        "tiltak-INITIAL_FORMS": "0",
        "tiltak-MIN_NUM_FORMS": "0",
        "tiltak-MAX_NUM_FORMS": "1000",
        "tiltak-0-description": "Fiktivt tiltak",
        "tiltak-0-responsible": holder.pk,
        "tiltak-0-start_date": TODAY.isoformat(),
        "tiltak-0-evaluation_date": (TODAY + datetime.timedelta(days=7)).isoformat(),
    } | fields


def test_a_meeting_records_who_was_there(cast, bti, client):
    login_verified(client, cast["staff"])
    url = reverse("bti:case-meeting-add", args=[bti.case.pk])
    response = client.post(url, _meeting_post(bti))
    assert response.status_code == 400
    assert "Kryss av hvem i teamet" in response.content.decode()
    assert not Meeting.objects.exists()
    nurse = bti.case.team.get(user=bti.nurse)
    response = client.post(
        url, _meeting_post(bti, participants=[nurse.pk], others_present="Fiktivt: eleven, tolk")
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert list(meeting.participants.all()) == [nurse]
    page = client.get(reverse("bti:case-detail", args=[bti.case.pk])).content.decode()
    assert "Til stede:" in page
    assert "Fiktivt: eleven, tolk" in page


def test_a_meeting_refuses_someone_elses_team_member_and_steering_characters(
    cast, bti, unborn, client
):
    login_verified(client, cast["staff"])
    url = reverse("bti:case-meeting-add", args=[bti.case.pk])
    foreign = unborn.case.team.get()  # the nurse on the other log
    response = client.post(url, _meeting_post(bti, participants=[foreign.pk]))
    assert response.status_code == 400
    response = client.post(
        url,
        _meeting_post(
            bti, participants=[bti.case.team.first().pk], others_present="Fiktiv \u202etolk"
        ),
    )
    assert response.status_code == 400
    assert "styretegn" in response.content.decode()
    assert not Meeting.objects.filter(case=bti.case).exists()
    with pytest.raises(ValidationError):
        services.meeting_record(
            actor=cast["staff"],
            case=bti.case,
            held_on=TODAY,
            summary="Fiktivt",
            actions=[services.ActionInput("Fiktivt", bti.case.team.first(), TODAY, TODAY)],
            participants=[foreign],
        )


def test_the_printout_shows_views_decisions_and_who_was_there(cast, bti, unborn):
    holder = bti.case.team.get(user=bti.case.holder)
    services.meeting_record(
        actor=cast["staff"],
        case=bti.case,
        held_on=TODAY,
        summary="Fiktivt referat",
        actions=[services.ActionInput("Fiktivt", holder, TODAY, TODAY)],
        participants=[holder],
        others_present="Fiktivt: mor og tolk",
    )
    services.action_evaluate(
        actor=cast["staff"],
        action=bti.action,
        evaluated_on=TODAY,
        text="Fiktiv",
        status="pagar",
        views=VIEWS,
    )
    html = render_to_string("btitracker/pdf/case.html", case_printout_context(case=bti.case))
    assert "Fiktivt: mor og tolk" in html
    assert VIEWS.child_view in html
    assert VIEWS.family_view in html
    assert "Beslutning på nivå 0:" in html
    unborn_html = render_to_string(
        "btitracker/pdf/case.html", case_printout_context(case=unborn.case)
    )
    assert "ikke født ennå, termin" in unborn_html
    assert EXPECTING_PARENT in unborn_html


def test_the_log_page_queries_do_not_grow_with_meetings_and_decisions(
    cast, bti, client, django_assert_max_num_queries
):
    login_verified(client, cast["staff"])
    url = reverse("bti:case-detail", args=[bti.case.pk])
    members = list(bti.case.team.filter(active=True))

    def add(number):
        services.meeting_record(
            actor=cast["staff"],
            case=bti.case,
            held_on=TODAY,
            summary=f"Fiktivt {number}",
            actions=[services.ActionInput("Fiktivt", members[0], TODAY, TODAY)],
            participants=members,
        )
        services.case_level_change(
            actor=cast["staff"], case=bti.case, level=1 + number % 3, views=VIEWS
        )

    add(0)
    with django_assert_max_num_queries(80) as one:
        assert client.get(url).status_code == 200
    for number in range(1, 6):
        add(number)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200
