"""The council's treatment of a report (writes): the treatment itself with its history,
the follow-up items the council asks for and every change of their status, and the
questions elected officials ask on a published report with the sector leader's answer.

Every function is atomic and writes its own record; who may call it is decided by the
rules in ``reports.permissions`` (views ask them first), what may be written is decided
here, so a form, the admin and the demo loader get the same refusals."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.services.history import field_changes_diff, field_label_get, fields_snapshot
from plans.text import normalise_name, normalise_text, validate_name, validate_text
from reports.models import (
    FollowUpItem,
    FollowUpStatus,
    FollowUpStatusChange,
    Question,
    ReportState,
    ReportYear,
    StatusReport,
    Treatment,
    TreatmentChange,
)
from reports.selectors.council import (
    administration_members,
    answers_frozen,
    has_published_version,
)
from reports.services.report_years import report_year_open

# So one login cannot flood the sector leaders: a user may have this many unanswered
# questions at a time; the next one can be sent when one is answered.
MAX_OPEN_QUESTIONS = 10

TREATMENT_FIELDS = (
    "committee",
    "committee_meeting_on",
    "council_meeting_on",
    "case_number",
    "decision",
)


def _clean_texts(model: type[models.Model], **values: str) -> dict[str, str]:
    """Free texts cleaned the portal's way (plans.text), a refusal naming the field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        try:
            validate_text(value or "")
        except ValidationError as error:
            label = field_label_get(model=model, name=name)
            errors[name] = f"«{label}»: {' '.join(error.messages)}"
        cleaned[name] = normalise_text(value or "")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_name(model: type[models.Model], name: str, value: str) -> str:
    try:
        validate_name(value or "")
    except ValidationError as error:
        label = field_label_get(model=model, name=name)
        raise ValidationError({name: f"«{label}»: {' '.join(error.messages)}"}) from error
    return normalise_name(value or "")


# --- The treatment ----------------------------------------------------------------------


def treatment_save(
    *,
    report_year: ReportYear,
    user,
    committee: str,
    committee_meeting_on: datetime.date | None,
    council_meeting_on: datetime.date | None,
    case_number: str,
    decision: str,
) -> Treatment:
    """Record (or change) the report's political treatment. The case number, committee
    and dates may be set before publishing (the case is made before the committee
    meets); the decision only once a version is published. Each save that changes
    something is written to the treatment's history."""
    with transaction.atomic():
        treatment = Treatment.objects.select_for_update().filter(
            report_year=report_year
        ).first() or Treatment(report_year=report_year)
        before = (
            fields_snapshot(instance=treatment, fields=TREATMENT_FIELDS)
            if treatment.pk
            else dict.fromkeys(TREATMENT_FIELDS, "")
        )
        treatment.committee = _clean_name(Treatment, "committee", committee)
        treatment.committee_meeting_on = committee_meeting_on
        treatment.council_meeting_on = council_meeting_on
        treatment.case_number = "".join((case_number or "").split())
        treatment.decision = _clean_texts(Treatment, decision=decision)["decision"]
        treatment.updated_by = user
        if treatment.decision and not has_published_version(report_year=report_year):
            raise ValidationError(
                {
                    "decision": _(
                        "Vedtaket kan registreres først når rapporten er publisert og behandlet."
                    )
                }
            )
        treatment.full_clean()
        after = fields_snapshot(instance=treatment, fields=TREATMENT_FIELDS)
        changes = field_changes_diff(model=Treatment, before=before, after=after)
        if treatment.pk and not changes:
            return treatment
        treatment.save()
        TreatmentChange.objects.create(treatment=treatment, actor=user, fields=changes)
    return treatment


# --- Follow-up items ----------------------------------------------------------------------


def _check_owner(*, owner, report_year: ReportYear) -> None:
    if (
        owner is None
        or not administration_members(municipality_id=report_year.municipality_id)
        .filter(pk=owner.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "owner": _(
                    "Ansvarlig må være en i kommunens administrasjon (ikke en folkevalgt "
                    "eller en i en annen kommune)."
                )
            }
        )


def _require_published(report_year: ReportYear) -> None:
    if not has_published_version(report_year=report_year):
        raise ValidationError(
            _("Oppfølgingspunkter kan registreres først når rapporten er publisert."),
            code="not_published",
        )


def follow_up_item_create(
    *,
    report_year: ReportYear,
    user,
    title: str,
    description: str,
    owner,
    due_on: datetime.date,
) -> FollowUpItem:
    """A follow-up item the council asked for, not started, with its first history line."""
    _require_published(report_year)
    _check_owner(owner=owner, report_year=report_year)
    with transaction.atomic():
        item = FollowUpItem(
            report_year=report_year,
            title=_clean_name(FollowUpItem, "title", title),
            description=_clean_texts(FollowUpItem, description=description)["description"],
            owner=owner,
            due_on=due_on,
            status=FollowUpStatus.NOT_STARTED,
            created_by=user,
        )
        item.full_clean()
        item.save()
        FollowUpStatusChange.objects.create(
            item=item, actor=user, old_status="", new_status=item.status
        )
    return item


def follow_up_item_update(
    *,
    item: FollowUpItem,
    user,
    title: str,
    description: str,
    owner,
    due_on: datetime.date,
) -> FollowUpItem:
    """Change what an item is, who owns it and when it is due (not its status)."""
    _check_owner(owner=owner, report_year=item.report_year)
    with transaction.atomic():
        locked = FollowUpItem.objects.select_for_update().get(pk=item.pk)
        locked.title = _clean_name(FollowUpItem, "title", title)
        locked.description = _clean_texts(FollowUpItem, description=description)["description"]
        locked.owner = owner
        locked.due_on = due_on
        locked.full_clean()
        locked.save()
    return locked


def follow_up_item_status_update(
    *, item: FollowUpItem, user, status: str, note: str
) -> FollowUpItem:
    """Set the item's status and note; every change is recorded (who, when, from, to,
    note). Saving the same status and note again records nothing."""
    if status not in FollowUpStatus.values:
        raise ValidationError({"status": _("Velg en av statusene i listen.")})
    cleaned = _clean_texts(FollowUpItem, status_note=note)["status_note"]
    with transaction.atomic():
        locked = FollowUpItem.objects.select_for_update().get(pk=item.pk)
        old = locked.status
        if old == status and locked.status_note == cleaned:
            return locked
        locked.status = status
        locked.status_note = cleaned
        locked.full_clean()
        locked.save()
        FollowUpStatusChange.objects.create(
            item=locked, actor=user, old_status=old, new_status=status, note=cleaned
        )
    return locked


# --- Questions and answers ----------------------------------------------------------------


def question_submit(*, report: StatusReport, user, text: str, notify: bool = True) -> Question:
    """An elected official's (or any reader's) question on a published report version.
    The sector leaders get an e-mail with a link only: the question is read in the portal,
    behind the login (``notify=False``: the demo loader, which mails no one)."""
    if report.state != ReportState.PUBLISHED:
        raise ValidationError(
            _("Spørsmål kan bare stilles til en publisert rapport."), code="not_published"
        )
    cleaned = _clean_texts(Question, text=text)["text"]
    if not cleaned:
        raise ValidationError({"text": _("Skriv spørsmålet ditt.")})
    with transaction.atomic():
        # Count under a lock on the asker's open questions, so two requests at once
        # cannot both pass the limit.
        open_count = len(
            Question.objects.select_for_update()
            .filter(asked_by=user, answered_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if open_count >= MAX_OPEN_QUESTIONS:
            raise ValidationError(
                {
                    "text": _(
                        "Du har %(count)s spørsmål som ikke er besvart ennå. Du kan stille "
                        "et nytt når ett av dem er besvart."
                    )
                    % {"count": open_count}
                }
            )
        report_year = report_year_open(quality_plan=report.quality_plan, year=report.year)
        question = Question(report_year=report_year, report=report, text=cleaned, asked_by=user)
        question.full_clean()
        question.save()
        if notify:
            from reports.tasks import send_question_notice

            send_question_notice.delay_on_commit(question.pk)
    return question


def question_answer_save(*, question: Question, user, answer: str) -> Question:
    """The sector leader's answer (one per question; it may be changed until next year's
    report is published and keeps it)."""
    cleaned = _clean_texts(Question, answer=answer)["answer"]
    if not cleaned:
        raise ValidationError({"answer": _("Skriv svaret.")})
    with transaction.atomic():
        locked = (
            Question.objects.select_for_update().select_related("report_year").get(pk=question.pk)
        )
        if answers_frozen(report_year=locked.report_year):
            raise ValidationError(
                _(
                    "Svaret kan ikke endres lenger: neste års rapport er publisert med "
                    "spørsmålene og svarene i vedlegget."
                ),
                code="frozen",
            )
        now = timezone.now()
        locked.answer = cleaned
        locked.answered_by = user
        locked.answered_at = locked.answered_at or now
        locked.answer_updated_at = now
        locked.full_clean()
        locked.save()
    return locked


def question_notice_send(*, question: Question) -> int:
    """Tell the municipality's sector leaders that a question waits for an answer. The
    mail carries a link only, never the question: mail leaves the portal, and the
    question is read behind the login. Returns how many were sent."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template import loader
    from django.urls import reverse
    from django.utils import translation

    from plans.models import Membership, Role

    recipients = sorted(
        set(
            Membership.objects.in_force()
            .filter(
                municipality_id=question.report_year.municipality_id,
                role=Role.SECTOR_LEADER,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return 0
    context = {
        "year_label": question.report_year.year_label,
        "url": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("reports:report-detail", args=[question.report_id])
        + "#sporsmal",
    }
    # The worker has no request, so mail is written in the default language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = loader.render_to_string("reports/email/question_subject.txt", context)
        body = loader.render_to_string("reports/email/question.txt", context)
    for address in recipients:
        EmailMultiAlternatives(" ".join(subject.split()), body, to=[address]).send()
    return len(recipients)
