"""The order form (which plan and which school year), and the forms of the council's
treatment: the treatment, a follow-up item, its status, a question and its answer."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from plans.models import QualityPlan
from plans.schoolyear import SchoolYear
from plans.text import max_length_of
from reports.models import FollowUpItem, FollowUpStatus, Question, Treatment


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


# --- The council's treatment --------------------------------------------------------------


def _date_field(label, *, required: bool, required_message=None) -> forms.DateField:
    messages = {"invalid": _("Skriv en gyldig dato (dd.mm.åååå).")}
    if required_message:
        messages["required"] = required_message
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages=messages,
    )


class TreatmentForm(forms.Form):
    committee = forms.CharField(
        label=_("Utvalg"),
        required=False,
        max_length=max_length_of(Treatment, "committee"),
        help_text=_("F.eks. Hovedutvalg for oppvekst."),
    )
    committee_meeting_on = _date_field(_("Møte i utvalget"), required=False)
    council_meeting_on = _date_field(_("Møte i kommunestyret"), required=False)
    case_number = forms.CharField(
        label=_("Saksnummer"),
        required=False,
        max_length=max_length_of(Treatment, "case_number"),
        help_text=_("År/løpenummer, f.eks. 2025/1234. Kan registreres før publisering."),
    )
    decision = forms.CharField(
        label=_("Vedtak"),
        required=False,
        max_length=max_length_of(Treatment, "decision"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Vedtaket registreres når rapporten er publisert og behandlet."),
    )


class FollowUpItemForm(forms.Form):
    title = forms.CharField(
        label=_("Tittel"),
        max_length=max_length_of(FollowUpItem, "title"),
        error_messages={
            "required": _("Skriv hva kommunestyret ba om (tittel)."),
        },
    )
    description = forms.CharField(
        label=_("Beskrivelse"),
        required=False,
        max_length=max_length_of(FollowUpItem, "description"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = forms.ModelChoiceField(
        label=_("Ansvarlig"),
        queryset=get_user_model().objects.none(),
        help_text=_("En i kommunens administrasjon."),
        error_messages={
            "required": _("Velg hvem i administrasjonen som er ansvarlig."),
            "invalid_choice": _("Velg en ansvarlig fra listen over kommunens administrasjon."),
        },
    )
    due_on = _date_field(
        _("Frist"), required=True, required_message=_("Skriv inn fristen for punktet.")
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )


class FollowUpStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=FollowUpStatus.choices,
        error_messages={
            "required": _("Velg status."),
            "invalid_choice": _("Velg en av statusene i listen."),
        },
    )
    note = forms.CharField(
        label=_("Merknad til status"),
        required=False,
        max_length=max_length_of(FollowUpItem, "status_note"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Ditt spørsmål"),
        max_length=max_length_of(Question, "text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sektorleder svarer i portalen. Spørsmål og svar vises med rapporten."),
        error_messages={
            "required": _("Skriv spørsmålet ditt."),
        },
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Svar"),
        max_length=max_length_of(Question, "answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Skriv svaret.")},
    )
