"""A megabyte of text is refused by the competence forms, services and database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from competence.models import Activity, Feedback, FundingScheme
from competence.services import activities as services
from tests.competence.test_activities import move_to_past, school_staff

MEGABYTE = "x" * (1024 * 1024)


def attended(competence_cast):
    session = competence_cast.session
    user = school_staff(competence_cast, "deltaker")
    registration = services.registration_create(session=session, user=user)
    move_to_past(session)
    services.attendance_save(session=session, attended_ids={registration.pk})
    registration.refresh_from_db()
    return user, registration


def test_the_feedback_form_refuses_a_megabyte_comment(competence_cast, client_for):
    user, registration = attended(competence_cast)
    url = reverse("competence:registration-feedback", args=[registration.pk])
    response = client_for(user).post(url, {"score": "4", "comment": MEGABYTE})
    assert response.status_code == 400
    assert "2000 eller færre tegn (den har nå 1048576)" in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_services_refuse_a_megabyte(competence_cast):
    _user, registration = attended(competence_cast)
    with pytest.raises(ValidationError) as caught:
        services.feedback_save(registration=registration, score=4, comment=MEGABYTE)
    assert set(caught.value.message_dict) == {"comment"}
    assert not Feedback.objects.exists()

    activity = competence_cast.activity
    activity.content = MEGABYTE
    with pytest.raises(ValidationError) as caught:
        services.activity_save(activity=activity)
    assert set(caught.value.message_dict) == {"content"}
    assert Activity.objects.get(pk=activity.pk).content != MEGABYTE


def test_the_database_refuses_a_megabyte_written_past_the_services(competence_cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=competence_cast.activity.pk).update(content=MEGABYTE)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingScheme.objects.update(description=MEGABYTE)
    Activity.objects.filter(pk=competence_cast.activity.pk).update(content="x" * 5000)
