"""Outgoing e-mail about accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def password_reset_email_send(*, user, domain: str, use_https: bool) -> None:
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    # The worker has no request, so mail is written in the default language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = loader.render_to_string("registration/password_reset_subject.txt", context)
        body = loader.render_to_string("registration/password_reset_email.html", context)
    message = EmailMultiAlternatives(" ".join(subject.splitlines()), body, to=[user.email])
    message.send()


def bti_enrol_code_email_send(*, user, code: str, minutes: int) -> None:
    """The one-time code that lets a user set up the second factor for BTI. Plain text with
    the code and how long it lasts; nothing about any child. Sent at once by the caller."""
    context = {"code": code, "minutes": minutes, "user": user}
    with translation.override(settings.LANGUAGE_CODE):
        subject = loader.render_to_string("btitracker/email/enrol_code_subject.txt", context)
        body = loader.render_to_string("btitracker/email/enrol_code.txt", context)
    EmailMultiAlternatives(" ".join(subject.split()), body, to=[user.email]).send()
