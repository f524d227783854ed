"""Writes behind the annual wheel and the calendar feeds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competence.models import CalendarEvent, FeedScope, FeedToken
from plans.access import access_for
from plans.models import Municipality
from plans.services.common import model_update

EVENT_FIELDS = ("kind", "title", "description", "starts_on", "ends_on", "audience")


@transaction.atomic
def calendar_event_save(
    *,
    municipality: Municipality,
    data: Mapping[str, Any],
    actor,
    instance: CalendarEvent | None = None,
) -> CalendarEvent:
    """Add (``instance`` None) or change an event of the municipality's annual wheel."""
    refused = sorted(set(data) - set(EVENT_FIELDS))
    if refused:
        raise ValidationError(_("Ukjente felt: %(fields)s.") % {"fields": ", ".join(refused)})
    if instance is None:
        instance = CalendarEvent(
            created_by=actor if getattr(actor, "pk", None) else None,
            municipality=municipality,
            **data,
        )
        instance.full_clean()
        instance.save()
        return instance
    # Compared with the stored row: a form may already have changed ``instance``.
    current = CalendarEvent.objects.select_for_update().get(pk=instance.pk)
    if current.municipality_id != municipality.pk:
        raise ValidationError(_("Hendelsen hører til en annen kommune."))
    current, _updated = model_update(instance=current, fields=EVENT_FIELDS, data=data)
    return current


@transaction.atomic
def calendar_event_delete(*, instance: CalendarEvent, actor) -> None:
    CalendarEvent.objects.filter(pk=instance.pk).delete()


@transaction.atomic
def feed_token_create(*, user, municipality: Municipality, scope: str) -> FeedToken:
    """A new secret feed URL for ``user``; the token itself comes from the model's default."""
    if scope not in FeedScope.values:
        raise ValidationError(_("Ukjent type kalender."))
    if access_for(user).municipality_id != municipality.pk:
        raise ValidationError(_("Du kan bare abonnere på kalenderen i din egen kommune."))
    token = FeedToken(user=user, municipality=municipality, scope=scope)
    token.full_clean()
    token.save()
    return token


@transaction.atomic
def feed_token_revoke(*, token: FeedToken, actor) -> FeedToken:
    """Stop the feed URL from working; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        FeedToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    return token


def feed_token_touch(*, token: FeedToken) -> None:
    """Note that a calendar client fetched the feed (an update, so no race on the row)."""
    token.last_used_at = timezone.now()
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)
