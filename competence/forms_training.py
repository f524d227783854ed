"""The form for a mandatory training requirement. Themes and activities are limited to the
requirement's municipality, so another municipality's ids are refused as invalid choices."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from competence.forms_activities import TARGET_ROLES
from competence.models import Activity, Theme, TrainingRequirement
from competence.services.training import FIELDS
from plans.models import UnitKind


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.school_year_label})"


class TrainingRequirementForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roller som må ha opplæringen"),
        choices=TARGET_ROLES,
        widget=forms.CheckboxSelectMultiple,
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_("Enhetstyper"),
        choices=UnitKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tomt: alle enheter."),
    )
    activities = ActivityChoiceField(
        label=_("Tiltak som teller"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tiltak som teller selv om de ikke har et av temaene."),
    )

    class Meta:
        model = TrainingRequirement
        fields = FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.filter(municipality=municipality)
        self.fields["activities"].queryset = Activity.objects.filter(
            municipality=municipality
        ).order_by("-school_year", "title")
        if not self.instance.pk:
            self.initial.setdefault("name", _("BTI-modellen"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("themes") and not cleaned.get("activities"):
            self.add_error("themes", _("Velg minst ett tema eller ett tiltak som gir opplæringen."))
        return cleaned

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}
