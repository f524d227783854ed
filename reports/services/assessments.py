"""Writing the administration's assessment of a report year: opening it, saving the five
answers, inviting writers, and the draft → review → final flow.

Every change is written together with its ``AssessmentChange`` row (old and new text per
question, as the plan history records plans), in one transaction. Who may call which
service is decided by the rules in ``reports.permissions``; the services refuse what no
one may do (editing a final text, finalising with a question unanswered)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import DevelopmentArea, Membership, QualityPlan, Role
from plans.selectors.organisation import user_log_name
from plans.text import clean_free_text, require_lengths
from reports.models import (
    EDITABLE_ASSESSMENT_STATES,
    Assessment,
    AssessmentChange,
    AssessmentQuestion,
    AssessmentState,
    AssessmentWriter,
    ReportYear,
)
from reports.services.report_years import report_year_open


def _no_change_label() -> str:
    return _("Ingen endring")


def _shown(text: str, no_change: bool) -> str:
    """An answer as the history shows it."""
    return _no_change_label() if no_change else text


def _record(
    *, assessment: Assessment, actor, action: str, fields: list[dict[str, str]] | None = None
) -> AssessmentChange:
    return AssessmentChange.objects.create(
        assessment=assessment,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject=f"{action}: {assessment}"[:300],
        fields=fields or [],
    )


def _locked(assessment: Assessment) -> Assessment:
    # Lock the assessment row only: PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to the area (the whole report's assessment has none).
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("area", "report_year")
        .get(pk=assessment.pk)
    )


def assessments_start(*, quality_plan: QualityPlan, year: int) -> ReportYear:
    """The report year with an assessment for the whole report and one per development
    area of the plan, made where missing (safe to call again, and when two requests race)."""
    report_year = report_year_open(quality_plan=quality_plan, year=year)
    wanted: list[DevelopmentArea | None] = [
        None,
        *DevelopmentArea.objects.filter(plan=quality_plan).order_by("order", "pk"),
    ]
    existing = set(report_year.assessments.values_list("area_id", flat=True))
    for area in wanted:
        area_id = area.pk if area else None
        if area_id in existing:
            continue
        try:
            with transaction.atomic():
                Assessment.objects.create(
                    municipality_id=report_year.municipality_id,
                    report_year=report_year,
                    area=area,
                )
        except IntegrityError:
            pass  # made by a concurrent request
    return report_year


def assessment_update(
    *, assessment: Assessment, user, answers: Mapping[str, tuple[str, bool]]
) -> Assessment:
    """Save the answers (``{question: (text, no_change)}`` for the questions given) and
    record the old and new text of each one that changed. Refused, with the question
    named, for a text with steering characters, one that is too long, or a text with
    «Ingen endring» ticked (``Assessment.clean``); refused when the assessment is final."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[str, bool]] = {}
    for key, (text, no_change) in answers.items():
        question = AssessmentQuestion(key)
        try:
            value = clean_free_text(text or "", label=str(question.label))
            require_lengths(Assessment, **{f"{key}_text": value})
        except ValidationError as error:
            errors[f"{key}_text"] = error.messages
            continue
        cleaned[key] = (value, bool(no_change))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.state not in EDITABLE_ASSESSMENT_STATES:
            raise ValidationError(
                _("Vurderingen er ferdig. Sektorleder må sende den tilbake til utkast først."),
                code="final",
            )
        changes = []
        for key, (text, no_change) in cleaned.items():
            old_text, old_no_change = locked.answer(key)
            if (old_text, old_no_change) == (text, no_change):
                continue
            changes.append(
                {
                    "field": str(AssessmentQuestion(key).label),
                    "old": _shown(old_text, old_no_change),
                    "new": _shown(text, no_change),
                }
            )
            setattr(locked, f"{key}_text", text)
            setattr(locked, f"{key}_no_change", no_change)
        if not changes:
            return locked
        locked.updated_by = user
        locked.text_changed_at = timezone.now()
        locked.full_clean()
        locked.save()
        _record(assessment=locked, actor=user, action=_("Tekst endret"), fields=changes)
    return locked


def _move(
    *,
    assessment: Assessment,
    user,
    allowed: tuple[str, ...],
    to: str,
    action: str,
    refusal: str,
    comment: str = "",
) -> Assessment:
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.state not in allowed:
            raise ValidationError(refusal, code="state")
        old_state = locked.get_state_display()
        locked.state = to
        locked.updated_by = user
        locked.return_comment = comment
        locked.full_clean()
        locked.save()
        fields = [
            {"field": str(_("Status")), "old": str(old_state), "new": locked.get_state_display()}
        ]
        if comment:
            fields.append({"field": str(_("Kommentar")), "old": "", "new": comment})
        _record(assessment=locked, actor=user, action=action, fields=fields)
    return locked


def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    """Draft → til gjennomsyn: the writer asks the sector leader to read it."""
    return _move(
        assessment=assessment,
        user=user,
        allowed=(AssessmentState.DRAFT,),
        to=AssessmentState.REVIEW,
        action=_("Sendt til gjennomsyn"),
        refusal=_("Bare et utkast kan sendes til gjennomsyn."),
    )


def assessment_approve(*, assessment: Assessment, user) -> Assessment:
    """→ ferdig (the sector leader's call), once every question is answered."""
    missing = assessment.__class__.objects.get(pk=assessment.pk).unanswered()
    if missing:
        raise ValidationError(
            _("Svar på alle spørsmålene før vurderingen settes til ferdig. Mangler: %(list)s")
            % {"list": ", ".join(f"«{question.label}»" for question in missing)},
            code="unanswered",
        )
    return _move(
        assessment=assessment,
        user=user,
        allowed=tuple(EDITABLE_ASSESSMENT_STATES),
        to=AssessmentState.FINAL,
        action=_("Satt til ferdig"),
        refusal=_("Vurderingen er allerede ferdig."),
    )


def assessment_return(*, assessment: Assessment, user, comment: str) -> Assessment:
    """Til gjennomsyn or ferdig → utkast, with the sector leader's comment to the writer."""
    label = str(_("Kommentar"))
    text = clean_free_text(comment or "", label=label)
    if not text:
        raise ValidationError(
            {"comment": _("Skriv en kommentar som sier hva som bør endres.")}, code="required"
        )
    try:
        require_lengths(Assessment, return_comment=text)
    except ValidationError as error:
        raise ValidationError({"comment": error.messages}) from error
    return _move(
        assessment=assessment,
        user=user,
        allowed=(AssessmentState.REVIEW, AssessmentState.FINAL),
        to=AssessmentState.DRAFT,
        action=_("Sendt tilbake til utkast"),
        refusal=_("Bare en vurdering til gjennomsyn eller ferdig kan sendes tilbake."),
        comment=text,
    )


def assessment_writer_add(*, assessment: Assessment, user, invitee) -> AssessmentWriter:
    """Invite a member of the municipality to write this assessment. Elected officials are
    refused: they read the text when the report is published, not while it is written."""
    memberships = Membership.objects.in_force().filter(
        user=invitee, municipality_id=assessment.municipality_id
    )
    if not memberships.exists():
        raise ValidationError(
            {"user": _("Personen er ikke medlem av kommunen.")}, code="not_member"
        )
    if memberships.filter(role=Role.ELECTED_OFFICIAL).exists():
        raise ValidationError(
            {
                "user": _(
                    "Folkevalgte kan ikke inviteres til å skrive; de leser teksten i den "
                    "publiserte rapporten."
                )
            },
            code="elected_official",
        )
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.writers.filter(user=invitee).exists():
            raise ValidationError(
                {"user": _("Personen er allerede invitert til å skrive denne vurderingen.")},
                code="already_invited",
            )
        writer = AssessmentWriter.objects.create(assessment=locked, user=invitee, invited_by=user)
        _record(
            assessment=locked,
            actor=user,
            action=_("Skribent invitert"),
            fields=[{"field": str(_("Skribent")), "old": "", "new": user_log_name(invitee)}],
        )
    return writer
