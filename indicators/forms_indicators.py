"""Forms for the indicator pages: the list's search, an indicator's settings, the
municipality's targets and the sector leader's commentary."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from indicators.models import (
    Commentary,
    Indicator,
    Place,
    Source,
    TargetAdoption,
    TargetKind,
)
from indicators.selectors.figures import subgroup_label
from indicators.services.indicators import target_check
from plans.models import CoreComponent, DevelopmentArea, QualityPlan, Unit
from plans.text import normalise_name, validate_name
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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _amount_field(
    label, *, required: bool = False, min_value=None, messages=None, **kwargs
) -> forms.DecimalField:
    messages = messages or {
        "required": _("Oppgi målverdien."),
        "invalid": _("Skriv et tall, for eksempel 12,5."),
        "max_digits": _("Tallet har for mange sifre."),
        "max_decimal_places": _("Høyst fire desimaler."),
        "max_whole_digits": _("Tallet er for stort."),
        "min_value": _("Skriv et tall som er 0 eller større: retningen følger indikatoren."),
    }
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=4,
        min_value=min_value,
        localize=True,
        error_messages=messages,
        **kwargs,
    )


def _year_field(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("Oppgi året målet gjelder."),
            "invalid": _("Skriv året med fire sifre, for eksempel 2026."),
            "min_value": _("Året må være 2000 eller senere."),
            "max_value": _("Året må være 2100 eller tidligere."),
        },
        **kwargs,
    )


MILESTONE_LINE = re.compile(r"^\s*(\d{4})\s*[:=]\s*(\S+)\s*$")


def parse_milestones(text: str) -> list[tuple[int, Decimal]]:
    """«2025: 41,5» per line (or separated by «;») → [(2025, Decimal("41.5"))]. Refused
    with the line it could not read: a milestone is never half-read."""
    found: list[tuple[int, Decimal]] = []
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        match = MILESTONE_LINE.match(part)
        value = None
        if match:
            try:
                value = Decimal(match.group(2).replace(",", "."))
            except InvalidOperation:
                value = None
        if match is None or value is None or not value.is_finite():
            raise forms.ValidationError(
                _(
                    "Kunne ikke lese delmålet «%(text)s». Skriv år og verdi, for eksempel "
                    "«2026: 42,5»."
                )
                % {"text": part.strip()[:40]}
            )
        if abs(value) >= Decimal("1e12") or -value.as_tuple().exponent > 4:  # type: ignore[operator]
            raise forms.ValidationError(
                _("Delmålet for %(year)s har for mange sifre (høyst fire desimaler).")
                % {"year": match.group(1)}
            )
        found.append((int(match.group(1)), value))
    years = [year for year, _value in found]
    if len(set(years)) != len(years):
        raise forms.ValidationError(_("Hvert år kan ha bare ett delmål."))
    return sorted(found)


class TargetForm(forms.Form):
    year = _year_field(
        _("Målår"),
        help_text=_(
            "Året målet skal være nådd. For skoleår: året skoleåret starter (2026 = 2026/27)."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Type mål"),
        required=False,
        choices=TargetKind.choices,
        error_messages={"invalid_choice": _("Velg en type mål fra listen.")},
    )
    value = _amount_field(
        _("Målverdi"),
        help_text=_("For «Fast verdi»."),
        messages={
            "required": _("Oppgi målverdien."),
            "invalid": _("Skriv målverdien som et tall, for eksempel 12,5."),
            "max_digits": _("Målverdien har for mange sifre."),
            "max_decimal_places": _("Høyst fire desimaler i målverdien."),
            "max_whole_digits": _("Målverdien er for stor."),
        },
    )
    baseline_year = _year_field(
        _("Utgangsår"),
        required=False,
        help_text=_("For «Endring fra kommunens eget utgangspunkt»: året tallet måles fra."),
    )
    change = _amount_field(
        _("Forbedring"),
        min_value=0,
        help_text=_("I indikatorens enhet, for eksempel 3 (poeng). Retningen følger indikatoren."),
    )
    comparison_place = forms.ModelChoiceField(
        label=_("Sammenlignet med"),
        required=False,
        queryset=Place.objects.none(),
        empty_label=_("Velg sted"),
        error_messages={
            "invalid_choice": _(
                "Velg landet, et fylke eller en KOSTRA-gruppe med tall for indikatoren."
            )
        },
        help_text=_("For «Bedre enn et sammenligningssted»."),
    )
    margin = _amount_field(
        _("Margin"),
        min_value=0,
        help_text=_("Hvor mye bedre enn stedet, i indikatorens enhet (0 = minst like godt)."),
    )
    milestones = forms.CharField(
        label=_("Delmål"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Ett per linje: år og verdi, for eksempel «2025: 41,5». Verdien leses som målet: "
            "fast verdi, forbedring eller margin."
        ),
        error_messages={
            "max_length": _("Delmålene kan ikke være lengre enn %(limit_value)d tegn.")
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
    adoption = forms.ChoiceField(
        label=_("Vedtak"),
        required=False,
        choices=TargetAdoption.choices,
        error_messages={
            "invalid_choice": _("Velg vedtatt i kommunestyret eller administrativt mål.")
        },
    )
    council_case = forms.CharField(
        label=_("Saksnummer i kommunestyret"),
        required=False,
        max_length=40,
        help_text=_("For eksempel 25/123."),
        error_messages={
            "max_length": _("Saksnummeret kan ikke være lengre enn %(limit_value)d tegn.")
        },
    )
    adopted_on = forms.DateField(
        label=_("Vedtatt dato"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Skriv datoen som dd.mm.åååå.")},
    )

    def __init__(self, *args, units=None, subgroups=(), places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        choices = [("", _("Alle"))]
        choices += [(name, subgroup_label(name)) for name in subgroups if name]
        self.fields["subgroup"].choices = choices
        self.fields["comparison_place"].queryset = (
            places if places is not None else Place.objects.none()
        )

    # An extra row the browser posts with only its selects' first choices is empty.
    SUBSTANTIVE = (
        "year",
        "value",
        "baseline_year",
        "change",
        "comparison_place",
        "margin",
        "milestones",
        "council_case",
        "adopted_on",
    )

    def has_changed(self) -> bool:
        return any(name in self.changed_data for name in self.SUBSTANTIVE)

    def clean_council_case(self) -> str:
        # Refused before normalising: normalising would silently drop a direction mark.
        case = self.cleaned_data.get("council_case") or ""
        validate_name(case)
        return normalise_name(case)

    def clean_milestones(self) -> list[tuple[int, Decimal]]:
        return parse_milestones(self.cleaned_data.get("milestones") or "")

    def clean(self):
        data = super().clean()
        data["kind"] = data.get("kind") or TargetKind.ABSOLUTE
        data["adoption"] = data.get("adoption") or TargetAdoption.ADMINISTRATIVE
        if self.errors:
            return data
        try:
            target_check(row=data)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(None if field == NON_FIELD_ERRORS else field, message)
        return data


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
    TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True, max_num=200
)


class CommentaryForm(forms.Form):
    text = forms.CharField(
        label=_("Kommentar"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=max_length_of(Commentary, "text"),
        error_messages={"required": _("Skriv en kommentar, eller slett den som finnes.")},
        help_text=_("Sektorlederens lesning av tallene for kommunen."),
    )
