"""Forms for fortellinger: participation input, user journeys and their steps. Units come
from the municipality, areas and components from its plan in force."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import (
    CoreComponent,
    DevelopmentArea,
    InputGroup,
    InputSetting,
    JourneyStep,
    ParticipationInput,
    QualityPlan,
    StepAssessment,
    Unit,
    UserJourney,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _areas(plan: QualityPlan | None):
    if plan is None:
        return DevelopmentArea.objects.none()
    return DevelopmentArea.objects.filter(plan=plan)


def _components(plan: QualityPlan | None):
    if plan is None:
        return CoreComponent.objects.none()
    return CoreComponent.objects.filter(area__plan=plan).select_related("area")


class ParticipationFilterForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Gruppe"), required=False, choices=[("", _("Alle grupper")), *InputGroup.choices]
    )
    setting = forms.ChoiceField(
        label=_("Sammenheng"),
        required=False,
        choices=[("", _("Alle sammenhenger")), *InputSetting.choices],
    )
    area = forms.ModelChoiceField(
        label=_("Utviklingsområde"),
        required=False,
        queryset=DevelopmentArea.objects.none(),
        empty_label=_("Alle områder"),
    )
    unit = forms.ModelChoiceField(
        label=_("Enhet"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("Alle enheter"),
    )
    only_publishable = forms.BooleanField(
        label=_("Bare innspill med samtykke til publisering"), required=False
    )

    def __init__(self, *args, plan: QualityPlan | None, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas(plan)
        self.fields["unit"].queryset = units


class ParticipationInputForm(forms.ModelForm):
    class Meta:
        model = ParticipationInput
        fields = (
            "quote",
            "descriptor",
            "group",
            "setting",
            "given_on",
            "unit",
            "areas",
            "components",
            "publishable",
        )
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 3}),
            "given_on": DateInput(),
            "areas": forms.CheckboxSelectMultiple,
            "components": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: QualityPlan | None, units, unit_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].required = unit_required
        self.fields["areas"].queryset = _areas(plan)
        self.fields["components"].queryset = _components(plan)
        self.fields["components"].label_from_instance = lambda c: f"{c.area.name}: {c.name}"

    def clean(self):
        cleaned = super().clean()
        areas = set(cleaned.get("areas") or ())
        components = cleaned.get("components") or ()
        # A component speaks to its area too; keep the two consistent for the area pages.
        cleaned["areas"] = list(areas | {component.area for component in components})
        return cleaned


class UserJourneyForm(forms.ModelForm):
    class Meta:
        model = UserJourney
        fields = ("title", "description", "carried_out_on", "findings", "areas", "publishable")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.Textarea(attrs={"rows": 4}),
            "carried_out_on": DateInput(),
            "areas": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plan: QualityPlan | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = _areas(plan)


class JourneyStepForm(forms.ModelForm):
    class Meta:
        model = JourneyStep
        fields = ("order", "service", "what_happened", "assessment")
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 2}),
            "assessment": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["assessment"].choices = StepAssessment.choices


JourneyStepFormSet = forms.inlineformset_factory(
    UserJourney,
    JourneyStep,
    form=JourneyStepForm,
    extra=2,
    can_delete=True,
)


def steps_from_formset(formset) -> list[dict]:
    """The steps the editor kept, in their cleaned form, for ``user_journey_save``."""
    steps = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        steps.append(
            {
                "order": data.get("order"),
                "service": data["service"],
                "what_happened": data["what_happened"],
                "assessment": data.get("assessment") or StepAssessment.NEUTRAL,
            }
        )
    return steps
