"""Outgoing e-mail about sign-ups."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils import translation


def waitlist_promotion_send(*, registration) -> None:
    context = {
        "registration": registration,
        "session": registration.session,
        "activity": registration.session.activity,
        "url": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("competence:activity-detail", args=[registration.session.activity_id]),
    }
    # The worker has no request, so mail is written in the default language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = loader.render_to_string("competence/email/promoted_subject.txt", context)
        body = loader.render_to_string("competence/email/promoted.txt", context)
    EmailMultiAlternatives(" ".join(subject.split()), body, to=[registration.user.email]).send()
