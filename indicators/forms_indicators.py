"""Forms for the indicator pages: the list's search, an indicator's settings, the
municipality's targets and the sector leader's commentary."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Commentary, Indicator, Source
from indicators.selectors.figures import subgroup_label
from plans.models import CoreComponent, DevelopmentArea, QualityPlan, Unit
from plans.text_limits import max_length_of

GROUP_BY_AREA = "omrade"
GROUP_BY_SOURCE = "kilde"


class IndicatorSearchForm(forms.Form):
    q = forms.CharField(label=_("Søk i navn"), required=False, max_length=100)
    source = forms.ModelChoiceField(
        label=_("Kilde"),
        required=False,
        queryset=Source.objects.none(),
        empty_label=_("Alle kilder"),
        to_field_name="code",
    )
    group = forms.ChoiceField(
        label=_("Grupper etter"),
        required=False,
        choices=[(GROUP_BY_AREA, _("Utviklingsområde")), (GROUP_BY_SOURCE, _("Kilde"))],
    )

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources if sources is not None else Source.objects.none()


class HigherIsBetterSelect(forms.Select):
    """The three answers spelt out; the model's None is «neither»."""

    def __init__(self, attrs=None):
        choices = (
            ("unknown", _("Verken høyere eller lavere er bedre (vurderes ikke)")),
            ("true", _("Høyere er bedre")),
            ("false", _("Lavere er bedre")),
        )
        super().__init__(attrs, choices)

    def format_value(self, value):
        return {True: "true", False: "false", "True": "true", "False": "false"}.get(
            value, "unknown"
        )

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False}.get(data.get(name))


class IndicatorForm(forms.ModelForm):
    areas = forms.ModelMultipleChoiceField(
        label=_("Utviklingsområder"),
        required=False,
        queryset=DevelopmentArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Områdene i kvalitetsplanen som gjelder."),
    )
    components = forms.ModelMultipleChoiceField(
        label=_("Kjernekomponenter"),
        required=False,
        queryset=CoreComponent.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Indicator
        fields = [
            "higher_is_better",
            "unit_of_measure",
            "decimals",
            "service_field",
            "description",
            "published",
        ]
        widgets = {
            "higher_is_better": HigherIsBetterSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, plan: QualityPlan | None = None, settings: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if settings:
            self.fields["higher_is_better"] = forms.NullBooleanField(
                label=_("Retning"),
                required=False,
                widget=HigherIsBetterSelect,
                help_text=_("Styrer om funnene leser en økning som bedre eller dårligere."),
            )
            self.fields["higher_is_better"].initial = self.instance.higher_is_better
            self.fields["decimals"].max_value = 4
            self.fields["decimals"].widget.attrs["max"] = 4
        else:
            # An installation-wide indicator: only its links to the plan are the
            # municipality's (``indicators.change_indicator``).
            for name in self._meta.fields:
                del self.fields[name]
        if plan is None:
            del self.fields["areas"]
            del self.fields["components"]
            return
        self.fields["areas"].queryset = DevelopmentArea.objects.filter(plan=plan)
        self.fields["components"].queryset = CoreComponent.objects.filter(
            area__plan=plan
        ).select_related("area")
        self.fields["components"].label_from_instance = lambda c: f"{c.area.name}: {c.name}"
        if self.instance.pk and not self.is_bound:
            # Links made to an earlier revision follow the area by its key.
            area_keys = set(self.instance.areas.values_list("key", flat=True))
            component_keys = set(self.instance.components.values_list("key", flat=True))
            self.initial["areas"] = [
                area.pk for area in self.fields["areas"].queryset if area.key in area_keys
            ]
            self.initial["components"] = [
                c.pk for c in self.fields["components"].queryset if c.key in component_keys
            ]

    def clean_decimals(self):
        decimals = self.cleaned_data["decimals"]
        if decimals is not None and decimals > 4:
            raise forms.ValidationError(_("Høyst fire desimaler."))
        return decimals


class TargetForm(forms.Form):
    year = forms.IntegerField(
        label=_("År"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("Oppgi året målet gjelder."),
            "invalid": _("Skriv året med fire sifre, for eksempel 2026."),
            "min_value": _("Året må være 2000 eller senere."),
            "max_value": _("Året må være 2100 eller tidligere."),
        },
        help_text=_("For skoleår: året skoleåret starter (2026 = 2026/27)."),
    )
    value = forms.DecimalField(
        label=_("Målverdi"),
        max_digits=16,
        decimal_places=4,
        localize=True,
        error_messages={
            "required": _("Oppgi målverdien."),
            "invalid": _("Skriv målverdien som et tall, for eksempel 12,5."),
            "max_digits": _("Målverdien har for mange sifre."),
            "max_decimal_places": _("Høyst fire desimaler i målverdien."),
            "max_whole_digits": _("Målverdien er for stor."),
        },
    )
    unit = forms.ModelChoiceField(
        label=_("Enhet"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("Hele kommunen"),
        error_messages={"invalid_choice": _("Velg en enhet i kommunen.")},
    )
    subgroup = forms.ChoiceField(
        label=_("Undergruppe"),
        required=False,
        error_messages={"invalid_choice": _("Velg en undergruppe som finnes i tallene.")},
    )

    def __init__(self, *args, units=None, subgroups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        choices = [("", _("Alle"))]
        choices += [(name, subgroup_label(name)) for name in subgroups if name]
        self.fields["subgroup"].choices = choices


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for data in self.rows():
            key = (data.get("unit"), data.get("year"), data.get("subgroup") or "")
            if key in seen:
                raise forms.ValidationError(
                    _("Det er to mål for %(year)s for samme enhet og undergruppe.")
                    % {"year": data.get("year")}
                )
            seen.add(key)

    def rows(self) -> list[dict]:
        """The filled-in rows not marked for deletion (an empty extra row is skipped)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("year") is not None and not self._should_delete_form(form)
        ]


TargetFormSet = forms.formset_factory(
    TargetForm, formset=BaseTargetFormSet, extra=3, can_delete=True, max_num=200
)


class CommentaryForm(forms.Form):
    text = forms.CharField(
        label=_("Kommentar"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=max_length_of(Commentary, "text"),
        error_messages={"required": _("Skriv en kommentar, eller slett den som finnes.")},
        help_text=_("Sektorlederens lesning av tallene for kommunen."),
    )
