"""The order form: which plan and which (school) year the report is for."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import QualityPlan
from plans.schoolyear import SchoolYear


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


class ReportBrandingForm(forms.Form):
    """The upload; what the file is, is decided by ``report_branding_update``."""

    logo = forms.FileField(
        label=_("Kommunevåpen eller logo"),
        help_text=_(
            "SVG eller PNG, høyst 512 kB. Vises på forsiden av tilstandsrapportene som lages "
            "fra nå; publiserte rapporter beholder logoen de hadde."
        ),
        error_messages={
            "required": _("Velg en fil med kommunevåpenet eller logoen."),
            "empty": _("Filen er tom."),
            "invalid": _("Velg en fil med kommunevåpenet eller logoen."),
        },
    )
