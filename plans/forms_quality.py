"""Forms for the quality plan. The part forms know their plan, so a component or a mark of
good practice can only be placed under an area of the same plan."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from plans.form_fields import IdMultipleChoiceField
from plans.forms import limit_owner_choices
from plans.models import (
    Anchoring,
    CoreComponent,
    DevelopmentArea,
    PlanValue,
    PracticeCharacteristic,
    QualityDescription,
    QualityPlan,
)
from plans.selectors.trace import (
    citable_inputs,
    citable_journeys,
    input_choice_label,
    journey_choice_label,
)
from plans.services.quality_plan import PART_FIELDS, PLAN_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class QualityPlanForm(forms.ModelForm):
    """The plan's header. On an edit it carries the version the editor loaded, so a save
    made after someone else's is caught (plans.services.history.version_claim)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = QualityPlan
        fields = list(PLAN_FIELDS)
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "introduction": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, municipality_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version
        limit_owner_choices(self, municipality_id=self.instance.municipality_id or municipality_id)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Perioden kan ikke slutte før den starter."))
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PLAN_FIELDS}

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")


class PartForm(forms.ModelForm):
    """A part of a plan; ``plan`` limits the area choices to the plan's own areas."""

    def __init__(self, *args, plan: QualityPlan, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if "area" in self.fields:
            self.fields["area"].queryset = DevelopmentArea.objects.filter(plan=plan)
            self.fields["area"].empty_label = None
        limit_owner_choices(self, municipality_id=plan.municipality_id)
        # A mark of good practice cites input the editor sees on the plan's areas; the
        # service refuses input on another area than the mark's own.
        scope = {
            "municipality_id": plan.municipality_id,
            "area_keys": DevelopmentArea.objects.filter(plan=plan).values_list("key", flat=True),
        }
        if "source_inputs" in self.fields:
            self.fields["source_inputs"].queryset = citable_inputs(user, **scope).order_by(
                "-given_on", "-pk"
            )
            self.fields["source_inputs"].label_from_instance = input_choice_label
        if "source_journeys" in self.fields:
            self.fields["source_journeys"].queryset = citable_journeys(user, **scope).order_by(
                "title", "pk"
            )
            self.fields["source_journeys"].label_from_instance = journey_choice_label

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PART_FIELDS[self._meta.model]}


def _formfield(field: models.Field, **kwargs) -> forms.Field | None:
    if isinstance(field, models.URLField):
        # Links to laws and guidelines are typed without a scheme; assume https.
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


def _part_form(
    model: type[models.Model],
    rows: dict[str, int],
    lists: dict[str, int] | None = None,
    help_texts: dict[str, str | Promise] | None = None,
) -> type[PartForm]:
    widgets: dict[str, forms.Widget] = {
        name: forms.Textarea(attrs={"rows": count}) for name, count in rows.items()
    }
    widgets.update(
        {name: forms.SelectMultiple(attrs={"size": size}) for name, size in (lists or {}).items()}
    )
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": list(PART_FIELDS[model]),
            "formfield_callback": _formfield,
            "widgets": widgets,
            "help_texts": help_texts or {},
            # A forged id beyond bigint is a form error, not a database error.
            "field_classes": dict.fromkeys(lists or {}, IdMultipleChoiceField),
        },
    )
    return type(f"{model.__name__}Form", (PartForm,), {"Meta": meta})


PlanValueForm = _part_form(PlanValue, {"meaning": 5})
AnchoringForm = _part_form(Anchoring, {"note": 2})
DevelopmentAreaForm = _part_form(
    DevelopmentArea, {"description": 4, "goal": 2, "meaning_for_individual": 5}
)
CoreComponentForm = _part_form(CoreComponent, {"description": 4})
PracticeCharacteristicForm = _part_form(
    PracticeCharacteristic,
    {"text": 3},
    lists={"source_inputs": 6, "source_journeys": 3},
    help_texts={
        "source_inputs": _(
            "Innspillene kjennetegnet bygger på, om samme utviklingsområde. Hold Ctrl (Cmd "
            "på Mac) for å velge flere."
        ),
        "source_journeys": _("Brukerreiser om samme utviklingsområde."),
    },
)
QualityDescriptionForm = _part_form(QualityDescription, {"content": 6})


@dataclass(frozen=True)
class Part:
    """One kind of row in the plan, as the generic part views handle it."""

    model: type[models.Model]
    form: type[PartForm]
    add_label: str | Promise
    section: str  # the anchor of the section on the plan page

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def rows_of(self, plan: QualityPlan) -> models.QuerySet:
        if "area" in PART_FIELDS[self.model]:
            return self.model._default_manager.filter(area__plan=plan).select_related("area")
        return self.model._default_manager.filter(plan=plan)


PARTS: dict[str, Part] = {
    "value": Part(PlanValue, PlanValueForm, _("Legg til verdi"), "values"),
    "anchoring": Part(Anchoring, AnchoringForm, _("Legg til forankring"), "anchoring"),
    "area": Part(DevelopmentArea, DevelopmentAreaForm, _("Legg til utviklingsområde"), "areas"),
    "component": Part(CoreComponent, CoreComponentForm, _("Legg til kjernekomponent"), "areas"),
    "characteristic": Part(
        PracticeCharacteristic,
        PracticeCharacteristicForm,
        _("Legg til kjennetegn på god praksis"),
        "areas",
    ),
    "description": Part(
        QualityDescription, QualityDescriptionForm, _("Legg til kvalitetsbeskrivelse"), "quality"
    ),
}


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(label=_("Vedtatt dato"), widget=DateInput())
    council_case = forms.CharField(
        label=_("Saksnummer i kommunestyret"),
        max_length=50,
        help_text=_("For eksempel 25/123."),
    )


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(label=_("Fra revisjon"), queryset=QualityPlan.objects.none())
    b = forms.ModelChoiceField(label=_("Til revisjon"), queryset=QualityPlan.objects.none())

    def __init__(self, *args, plans: models.QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            self.fields[name].queryset = plans
            self.fields[name].label_from_instance = revision_label


def revision_label(plan: QualityPlan) -> str:
    state = (
        _("vedtatt %(date)s") % {"date": plan.adopted_on.strftime("%d.%m.%Y")}
        if plan.is_adopted
        else _("utkast")
    )
    return _("%(title)s %(period)s, revisjon %(revision)s (%(state)s)") % {
        "title": plan.title,
        "period": plan.period_label,
        "revision": plan.revision,
        "state": state,
    }
