"""The level-0 → level-1 → action/meeting flow through the pages, as the people do it."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from btitracker.models import AccessEvent, Action, Concern, ConcernCase, Meeting
from tests.bti.helpers import VIEWS_POST, login_verified


def test_staff_records_concern_leader_decides_holder_adds_action_and_meeting(cast, client, bti):
    staff, leader = cast["staff"], cast["unit_leader"]
    login_verified(client, staff)
    band = Concern.objects.get(pk=bti.concern.pk).band
    response = client.post(
        reverse("bti:concern-create"),
        {
            "unit": cast.school.pk,
            "observation": "Fiktiv: sitter alene i friminuttene.",
            "duration": "En måned",
            "band": band.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concern = Concern.objects.filter(author=staff).order_by("-pk").first()
    assert concern.child is None
    assert concern.is_pending

    client.logout()
    login_verified(client, leader)
    response = client.post(
        reverse("bti:concern-decide", args=[concern.pk]),
        {
            "decision": "niva1",
            "note": "Vi følger opp på nivå 1.",
            "child_name": "Fiktiv Eksempelsen",
            "birth_date": "2017-05-02",
            "holder": staff.pk,
            **VIEWS_POST,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = ConcernCase.objects.get(source_concern=concern)
    assert case.level == 1
    assert case.holder == staff

    client.logout()
    login_verified(client, staff)
    holder_member = case.team.get(user=staff)
    today = timezone.localdate()
    response = client.post(
        reverse("bti:case-action-add", args=[case.pk]),
        {
            "description": "Fiktivt tiltak: fast voksen i friminuttene.",
            "responsible": holder_member.pk,
            "start_date": today.isoformat(),
            "evaluation_date": (today + datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Action.objects.filter(case=case).count() == 1

    # A meeting without an action cannot be saved.
    meeting_url = reverse("bti:case-meeting-add", args=[case.pk])
    empty = {
        "held_on": today.isoformat(),
        "summary": "Fiktivt referat.",
        "participants": [holder_member.pk],
        "others_present": "Fiktivt: eleven og mor",
        "tiltak-TOTAL_FORMS": "2",
        "tiltak-INITIAL_FORMS": "0",
        "tiltak-MIN_NUM_FORMS": "0",
        "tiltak-MAX_NUM_FORMS": "1000",
    }
    response = client.post(meeting_url, empty)
    assert response.status_code == 400
    assert "minst ett tiltak med ansvarlig person" in response.content.decode()
    assert not Meeting.objects.filter(case=case).exists()
    # With a responsible but no follow-up date: refused, nothing saved.
    response = client.post(
        meeting_url,
        {
            **empty,
            "tiltak-0-description": "Samtale",
            "tiltak-0-responsible": holder_member.pk,
            "tiltak-0-start_date": today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Meeting.objects.filter(case=case).exists()
    response = client.post(
        meeting_url,
        {
            **empty,
            "tiltak-0-description": "Fiktivt: samtale med foresatte.",
            "tiltak-0-responsible": holder_member.pk,
            "tiltak-0-start_date": today.isoformat(),
            "tiltak-0-evaluation_date": (today + datetime.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(case=case)
    assert meeting.actions.count() == 1
    assert list(meeting.participants.all()) == [holder_member]
    assert meeting.others_present == "Fiktivt: eleven og mor"

    response = client.get(reverse("bti:case-detail", args=[case.pk]))
    assert response.status_code == 200
    assert "Fiktiv Eksempelsen" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AccessEvent.objects.filter(case_id=case.pk, action="view", actor_id=staff.pk).exists()
