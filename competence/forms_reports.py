"""Forms behind the competence reports: the activity table's filter, and funding schemes
with their grant per school year."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from competence.models import ActivityForm, FundingGrant, FundingScheme
from plans.models import DevelopmentArea, Municipality, QualityPlan, UnitKind
from plans.schoolyear import SchoolYear

FIRST_YEAR = 2000
LAST_YEAR = 2099


def school_year_choices(years: Iterable[int]) -> list[tuple[int, str]]:
    """The years that have data plus the current one, newest first, as "2026/27"."""
    return SchoolYear.choices([*years, SchoolYear.current()])


class ActivityTableFilterForm(forms.Form):
    """GET filter of the activity table, shared by the page and its exports."""

    year = forms.TypedChoiceField(
        label=_("Barnehage- og skoleår"), coerce=int, required=False, empty_value=None
    )
    target = forms.ChoiceField(
        label=_("Målgruppe"),
        required=False,
        choices=[("", _("Alle")), *UnitKind.choices],
    )
    area = forms.ModelChoiceField(
        label=_("Utviklingsområde"),
        required=False,
        queryset=DevelopmentArea.objects.none(),
        empty_label=_("Alle"),
    )
    scheme = forms.ModelChoiceField(
        label=_("Finansiering"),
        required=False,
        queryset=FundingScheme.objects.none(),
        empty_label=_("Alle"),
    )
    learning_form = forms.ChoiceField(
        label=_("Læringsform"),
        required=False,
        choices=[("", _("Alle")), *ActivityForm.choices],
    )

    def __init__(self, *args, years: Iterable[int], plan: QualityPlan | None, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = school_year_choices(years)
        self.fields["area"].queryset = (
            DevelopmentArea.objects.filter(plan=plan).order_by("order", "pk")
            if plan is not None
            else DevelopmentArea.objects.none()
        )
        self.fields["scheme"].queryset = schemes
        self.initial.setdefault("year", SchoolYear.current().start_year)

    def selection(self) -> tuple[int, dict]:
        """The chosen school year and the filters for ``selectors_reports.activity_table``;
        the current year without filters when the input does not validate."""
        if not self.is_bound or not self.is_valid():
            return SchoolYear.current().start_year, {}
        data = self.cleaned_data
        filters = {
            "target_kind": data["target"],
            "area": data["area"],
            "scheme": data["scheme"],
            "form": data["learning_form"],
        }
        return data["year"] or SchoolYear.current().start_year, filters

    def summary(self) -> list[str]:
        """The filters in use as «Målgruppe: Skole», for the PDF's heading."""
        if not self.is_bound or not self.is_valid():
            return []
        lines = []
        for name in ("target", "area", "scheme", "learning_form"):
            value = self.cleaned_data[name]
            if not value:
                continue
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                shown = str(value)
            else:
                shown = str(dict(field.choices).get(value, value))
            lines.append(f"{field.label}: {shown}")
        return lines


class SchoolYearForm(forms.Form):
    """The year selector of the budget and the evaluation."""

    year = forms.TypedChoiceField(
        label=_("Barnehage- og skoleår"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, years: Iterable[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = school_year_choices(years)
        self.initial.setdefault("year", SchoolYear.current().start_year)

    def school_year(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return SchoolYear.current().start_year


class FundingSchemeForm(forms.ModelForm):
    class Meta:
        model = FundingScheme
        fields = ("name", "description", "active")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = FundingScheme.objects.filter(
            municipality=self.municipality, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("Kommunen har allerede en tilskuddsordning med dette navnet."))
        return name


class FundingGrantForm(forms.ModelForm):
    school_year = forms.CharField(
        label=_("Barnehage- og skoleår"),
        max_length=9,
        help_text=_("For eksempel 2026/27."),
    )
    amount = forms.DecimalField(
        label=_("Tilskudd (kr)"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=0,
        error_messages={
            "min_value": _("Tilskuddet kan ikke være negativt."),
            "invalid": _("Skriv tilskuddet som et helt tall i kroner."),
            "max_decimal_places": _("Skriv tilskuddet i hele kroner."),
            "max_digits": _("Tilskuddet er for stort."),
            "max_whole_digits": _("Tilskuddet er for stort."),
        },
    )

    class Meta:
        model = FundingGrant
        fields = ("school_year", "amount", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["school_year"] = SchoolYear(self.instance.school_year).label

    def clean_school_year(self) -> int:
        text = self.cleaned_data["school_year"]
        try:
            year = SchoolYear.parse(text).start_year
        except ValueError:
            raise ValidationError(
                _("Skriv skoleåret som «2026/27»."), code="invalid_school_year"
            ) from None
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValidationError(
                _("Skoleåret må ligge mellom %(first)s og %(last)s.")
                % {"first": SchoolYear(FIRST_YEAR).label, "last": SchoolYear(LAST_YEAR).label}
            )
        return year


class BaseGrantFormSet(BaseInlineFormSet):
    def clean(self):
        seen: set[int] = set()
        duplicates: set[int] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            year = form.cleaned_data.get("school_year")
            if year is None:
                continue
            if year in seen:
                duplicates.add(year)
            seen.add(year)
        if duplicates:
            raise ValidationError(
                _("Det kan bare være ett tilskudd per skoleår: %(years)s står flere ganger.")
                % {"years": ", ".join(SchoolYear(year).label for year in sorted(duplicates))}
            )
        super().clean()

    def grants(self) -> list[dict]:
        """The grants to keep, as data for ``funding_scheme_save``."""
        return [
            {name: form.cleaned_data[name] for name in ("school_year", "amount", "note")}
            for form in self.forms
            if form.cleaned_data
            and not (self.can_delete and self._should_delete_form(form))
            and form.cleaned_data.get("school_year") is not None
        ]


FundingGrantFormSet = inlineformset_factory(
    FundingScheme,
    FundingGrant,
    form=FundingGrantForm,
    formset=BaseGrantFormSet,
    extra=2,
    can_delete=True,
)
