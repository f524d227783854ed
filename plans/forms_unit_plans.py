"""Forms for the unit development plan. Each form knows its plan: the choices come from the
plan's own quality plan and unit, and only the fields the plan's state allows are shown."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from plans.form_fields import IdMultipleChoiceField
from plans.forms import limit_owner_choices
from plans.models import (
    CoreComponent,
    DevelopmentArea,
    Measure,
    ParticipationProcess,
    TargetGroup,
    UnitGoal,
    UnitPlan,
)
from plans.schoolyear import SchoolYear
from plans.selectors.trace import (
    citable_inputs,
    citable_journeys,
    input_choice_label,
    journey_choice_label,
)

# The form's fields are the fields a unit may edit in an open plan: one list, in the selector
# that also says which of them stay open after approval.
from plans.selectors.unit_plans import (
    GOAL_FIELDS,
    MEASURE_FIELDS,
    PARTICIPATION_FIELDS,
    PLAN_FIELDS,
    unit_plan_editable_fields,
)
from plans.text_limits import max_length_of


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VersionedForm(forms.ModelForm):
    """Carries the version the editor loaded, so a save made after someone else's can be
    caught (see plans.services.history.version_claim)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, plan: UnitPlan, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The editor: the input a measure may cite is what they see (None: none offered).
        self.user = user
        allowed = set(unit_plan_editable_fields(plan=plan, model=self._meta.model))
        for name in list(self.fields):
            if name != "version" and name not in allowed:
                del self.fields[name]
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version
        self._limit_choices()

    def _limit_choices(self) -> None:
        fields = self.fields
        if "area" in fields:
            fields["area"].queryset = DevelopmentArea.objects.filter(
                plan_id=self.plan.quality_plan_id
            )
            # No area: one of the unit's own goals.
            fields["area"].empty_label = _("Enhetens egne mål (utenfor utviklingsområdene)")
        if "areas" in fields:
            fields["areas"].queryset = DevelopmentArea.objects.filter(
                plan_id=self.plan.quality_plan_id
            )
        if "component" in fields or "components" in fields:
            components = CoreComponent.objects.filter(
                area__plan_id=self.plan.quality_plan_id
            ).select_related("area")
            for name in ("component", "components"):
                if name in fields:
                    fields[name].queryset = components
                    fields[name].label_from_instance = lambda c: f"{c.area.name}: {c.name}"
        if "motivated_by_inputs" in fields or "motivated_by_journeys" in fields:
            scope = {
                "municipality_id": self.plan.unit.municipality_id,
                "area_keys": DevelopmentArea.objects.filter(
                    plan_id=self.plan.quality_plan_id
                ).values_list("key", flat=True),
            }
            if "motivated_by_inputs" in fields:
                fields["motivated_by_inputs"].queryset = citable_inputs(
                    self.user, **scope
                ).order_by("-given_on", "-pk")
                fields["motivated_by_inputs"].label_from_instance = input_choice_label
            if "motivated_by_journeys" in fields:
                fields["motivated_by_journeys"].queryset = citable_journeys(
                    self.user, **scope
                ).order_by("title", "pk")
                fields["motivated_by_journeys"].label_from_instance = journey_choice_label
        if "responsible" in fields:
            fields["responsible"].queryset = (
                get_user_model()
                .objects.filter(memberships__unit_id=self.plan.unit_id, is_active=True)
                .distinct()
                .order_by("first_name", "last_name")
            )
            fields["responsible"].label_from_instance = lambda u: u.get_full_name() or u.username
        limit_owner_choices(
            self, municipality_id=self.plan.unit.municipality_id, unit_id=self.plan.unit_id
        )

    def service_data(self) -> dict:
        """The cleaned values of the editable fields, without the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version") if self.instance.pk else None


class UnitPlanForm(VersionedForm):
    class Meta:
        model = UnitPlan
        fields = PLAN_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "areas": forms.CheckboxSelectMultiple,
            "components": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        cleaned = super().clean()
        areas = cleaned.get("areas")
        components = cleaned.get("components")
        if areas is not None and components:
            outside = [c for c in components if c.area not in areas]
            if outside:
                self.add_error(
                    "components",
                    _("Kjernekomponenten «%(name)s» hører til et område planen ikke har valgt.")
                    % {"name": outside[0].name},
                )
        return cleaned


class UnitGoalForm(VersionedForm):
    class Meta:
        model = UnitGoal
        fields = GOAL_FIELDS
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "evaluation": forms.Textarea(attrs={"rows": 3}),
        }


class MeasureForm(VersionedForm):
    target_groups = forms.MultipleChoiceField(
        label=_("Målgrupper"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Samtidighet: tiltak virker best når de når ansatte, barn og unge, foresatte "
            "og frivillige og kultur samtidig."
        ),
    )

    class Meta:
        model = Measure
        fields = MEASURE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "start": DateInput(),
            "end": DateInput(),
            "evaluation": forms.Textarea(attrs={"rows": 3}),
            "motivated_by_inputs": forms.SelectMultiple(attrs={"size": 6}),
            "motivated_by_journeys": forms.SelectMultiple(attrs={"size": 3}),
        }
        field_classes = {
            "motivated_by_inputs": IdMultipleChoiceField,
            "motivated_by_journeys": IdMultipleChoiceField,
        }
        help_texts = {
            "motivated_by_inputs": _(
                "Hva barn, unge og foresatte har sagt som tiltaket svarer på: innspill om "
                "tiltakets utviklingsområde. Hold Ctrl (Cmd på Mac) for å velge flere."
            ),
            "motivated_by_journeys": _("Brukerreiser om tiltakets utviklingsområde."),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("Sluttdatoen kan ikke være før startdatoen."))
        return cleaned


class ParticipationForm(VersionedForm):
    class Meta:
        model = ParticipationProcess
        fields = PARTICIPATION_FIELDS
        widgets = {
            "method": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "held_on": DateInput(),
        }


PART_FORMS: dict[str, type[VersionedForm]] = {
    "goal": UnitGoalForm,
    "measure": MeasureForm,
    "participation": ParticipationForm,
}


class UnitPlanCreateForm(forms.Form):
    school_year = forms.TypedChoiceField(label=_("Skoleår"), coerce=int)
    start_from_previous = forms.BooleanField(
        label=_("Start fra fjorårets plan"),
        required=False,
        initial=True,
        help_text=_("Tar med områder, kjernekomponenter, mål og tiltak som ikke er fullført."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = SchoolYear.current()
        self.fields["school_year"].choices = SchoolYear.choices(
            [current, current.next()], newest_first=False
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Vedtak"),
        choices=[("approve", _("Godkjenn planen")), ("return", _("Returner til enheten"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Kommentar til enheten"),
        required=False,
        max_length=max_length_of(UnitPlan, "review_comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Påkrevd når planen returneres: skriv hva som skal endres."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Skriv hva enheten skal endre før planen returneres."))
        return cleaned


class EvaluationForm(forms.Form):
    evaluation = forms.CharField(
        label=_("Evaluering av året"),
        max_length=max_length_of(UnitPlan, "evaluation"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Hva fikk dere til, hva tar dere med videre, og hva sa barn og foresatte?"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UnitPlanFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Skoleår"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Enhet"), required=False, max_length=100)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Alle år"))] + [
            (year, SchoolYear(year).label) for year in years
        ]
