"""The order form (which plan and which school year the report is for) and the forms of
the administration's assessment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import QualityPlan
from plans.schoolyear import SchoolYear
from plans.text_limits import max_length_of
from reports.models import Assessment, AssessmentQuestion


class ReportOrderForm(forms.Form):
    quality_plan = forms.ModelChoiceField(
        label=_("Kvalitetsplan"),
        queryset=QualityPlan.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Velg kvalitetsplanen rapporten gjelder."),
            "invalid_choice": _("Velg en av kommunens kvalitetsplaner."),
        },
    )
    year = forms.TypedChoiceField(
        label=_("Skoleår"),
        coerce=int,
        help_text=_("Rapporten gjelder ett skoleår, fra august til juli."),
        error_messages={
            "required": _("Velg skoleåret rapporten gjelder."),
            "invalid_choice": _("Velg et skoleår i listen."),
        },
    )

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quality_plan"].queryset = plans
        current = SchoolYear.current().start_year
        starts = [plan.period_start for plan in plans] or [current - 1]
        years = range(current, min(min(starts) - 1, current - 1) - 1, -1)
        self.fields["year"].choices = SchoolYear.choices(years)
        if not self.is_bound:
            self.initial.setdefault("year", current - 1)
            first = plans.first()
            if first is not None:
                self.initial.setdefault("quality_plan", first.pk)


class AssessmentForm(forms.Form):
    """KS's five questions: a text, or «Ingen endring», for each."""

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = []
        for question in AssessmentQuestion:
            text_name = f"{question.value}_text"
            no_change_name = f"{question.value}_no_change"
            self.fields[text_name] = forms.CharField(
                label=question.label,
                required=False,
                strip=False,
                max_length=max_length_of(Assessment, text_name),
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[no_change_name] = forms.BooleanField(
                label=_("Ingen endring"), required=False
            )
            if not self.is_bound:
                text, no_change = assessment.answer(question.value)
                self.initial[text_name] = text
                self.initial[no_change_name] = no_change
            self.questions.append((question, self[text_name], self[no_change_name]))

    def answers(self) -> dict[str, tuple[str, bool]]:
        return {
            question.value: (
                self.cleaned_data[f"{question.value}_text"],
                self.cleaned_data[f"{question.value}_no_change"],
            )
            for question in AssessmentQuestion
        }


class AssessmentReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Kommentar til skribenten"),
        max_length=max_length_of(Assessment, "return_comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en kommentar som sier hva som bør endres.")},
    )


class AssessmentInviteForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Inviter en skribent"),
        queryset=None,
        error_messages={
            "required": _("Velg personen som skal inviteres."),
            "invalid_choice": _("Velg en person i kommunen fra listen."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
