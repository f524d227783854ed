"""Writes for competence activities: saving activities and sessions, signing up with a
waiting list, cancelling, attendance and feedback.

Sign-up and cancellation lock the session row, so two people taking the last seat at
the same moment cannot both get it, and a freed seat goes to exactly one person on the
waiting list."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competence.models import Activity, Feedback, Registration, RegistrationStatus, Session

M2M_FIELDS = ("themes", "target_units", "organiser_units", "organisers", "areas", "components")


@transaction.atomic
def activity_save(*, activity: Activity, data: dict | None = None) -> Activity:
    """Validate and save an activity; ``data`` carries the many-to-many selections
    (already limited to the activity's municipality by the form)."""
    activity.full_clean()
    activity.save()
    for field in M2M_FIELDS:
        if data is not None and field in data:
            getattr(activity, field).set(data[field])
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    activity.delete()


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().select_related("activity").get(pk=session.pk)


def _confirmed_count(session: Session) -> int:
    return session.registrations.filter(status=RegistrationStatus.CONFIRMED).count()


def _promote_waiting(session: Session) -> list[Registration]:
    """Fill free seats from the waiting list in sign-up order; returns who got a seat."""
    if session.capacity is None:
        free = None
    else:
        free = session.capacity - _confirmed_count(session)
        if free <= 0:
            return []
    waiting = session.registrations.filter(status=RegistrationStatus.WAITING).order_by(
        "registered_at", "pk"
    )
    promoted = list(waiting if free is None else waiting[:free])
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status", "changed_at"])
    if promoted:
        from competence.tasks import send_waitlist_promotion

        for registration in promoted:
            send_waitlist_promotion.delay_on_commit(registration.pk)
    return promoted


@transaction.atomic
def session_save(*, session: Session) -> Session:
    """Save a session. Capacity cannot drop below the people already confirmed; raising it
    gives the new seats to the waiting list."""
    session.full_clean()
    if session.pk is not None:
        _locked(session)
        confirmed = _confirmed_count(session)
        if session.capacity is not None and session.capacity < confirmed:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)s er allerede påmeldt. Antall plasser kan ikke være lavere."
                    )
                    % {"count": confirmed}
                }
            )
    session.save()
    _promote_waiting(session)
    return session


@transaction.atomic
def session_delete(*, session: Session) -> None:
    session.delete()


@transaction.atomic
def registration_create(*, session: Session, user, now=None) -> Registration:
    """Sign ``user`` up: a seat if there is one, otherwise the waiting list."""
    now = now or timezone.now()
    session = _locked(session)
    if session.has_started(now):
        raise ValidationError(_("Samlingen har startet, så påmeldingen er stengt."))
    if not Activity.objects.filter(pk=session.activity_id).meant_for(user).exists():
        raise ValidationError(_("Dette tiltaket er ikke for din målgruppe."))
    registration = Registration.objects.filter(session=session, user=user).first()
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        raise ValidationError(
            _("Du er allerede påmeldt.")
            if registration.status == RegistrationStatus.CONFIRMED
            else _("Du står allerede på ventelisten.")
        )
    full = session.capacity is not None and _confirmed_count(session) >= session.capacity
    status = RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED
    if registration is None:
        registration = Registration(session=session, user=user)
    registration.status = status
    registration.registered_at = now
    registration.attended = None
    registration.save()
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, now=None) -> Registration:
    """Cancel a sign-up before the session starts; a freed seat goes to the first person
    on the waiting list."""
    now = now or timezone.now()
    session = _locked(registration.session)
    registration.refresh_from_db()
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("Påmeldingen er allerede avmeldt."))
    if session.has_started(now):
        raise ValidationError(_("Samlingen har startet. Gi beskjed til arrangøren i stedet."))
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "changed_at"])
    _promote_waiting(session)
    return registration


@transaction.atomic
def attendance_save(*, session: Session, attended_ids: set[int], now=None) -> dict[str, int]:
    """Record who came: confirmed registrations in ``attended_ids`` attended, the rest of
    the confirmed did not. Attendance is kept from the day of the session."""
    now = now or timezone.now()
    session = _locked(session)
    if timezone.localdate(session.starts_at) > timezone.localdate(now):
        raise ValidationError(_("Oppmøte kan føres fra dagen samlingen holdes."))
    confirmed = session.registrations.filter(status=RegistrationStatus.CONFIRMED)
    unknown = attended_ids - set(confirmed.values_list("pk", flat=True))
    if unknown:
        raise ValidationError(_("Oppmøte kan bare føres for påmeldte deltakere."))
    came = confirmed.filter(pk__in=attended_ids).update(attended=True, changed_at=now)
    away = confirmed.exclude(pk__in=attended_ids).update(attended=False, changed_at=now)
    return {"attended": came, "absent": away}


@transaction.atomic
def feedback_save(*, registration: Registration, score: int, comment: str = "") -> Feedback:
    if registration.attended is not True:
        raise ValidationError(_("Du kan gi tilbakemelding når oppmøtet ditt er ført."))
    feedback = Feedback.objects.filter(registration=registration).first() or Feedback(
        registration=registration
    )
    feedback.score = score
    feedback.comment = comment
    feedback.full_clean()
    feedback.save()
    return feedback
