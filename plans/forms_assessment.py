"""Forms for quality tools and self-assessments. They offer only choices from the tool's
own plan; the services check the same again."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import (
    AssessmentAnswer,
    AssessmentGroup,
    CoreComponent,
    DevelopmentArea,
    QualityTool,
    Score,
    SelfAssessment,
    ServiceField,
    ToolStatement,
    Unit,
)
from plans.text_limits import max_length_of


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class QualityToolCreateForm(forms.Form):
    service_field = forms.ChoiceField(label=_("Tjenesteområde"))
    title = forms.CharField(
        label=_("Tittel"),
        max_length=200,
        required=False,
        help_text=_("Tom gir «Kvalitetsverktøy for …» med tjenesteområdets navn."),
    )
    introduction = forms.CharField(
        label=_("Innledning"),
        required=False,
        max_length=max_length_of(QualityTool, "introduction"),
        widget=forms.Textarea,
    )

    def __init__(self, *args, taken: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_field"].choices = [
            (code, label) for code, label in ServiceField.choices if code not in taken
        ]


class ToolStatementForm(forms.ModelForm):
    class Meta:
        model = ToolStatement
        fields = ("area", "component", "text", "order")
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "component": _("Tom betyr at påstanden gjelder hele utviklingsområdet."),
            "order": _("Påstander med lavere tall vises først innen området."),
        }

    def __init__(self, *args, tool: QualityTool, **kwargs):
        super().__init__(*args, **kwargs)
        self.tool = tool
        self.fields["area"].queryset = DevelopmentArea.objects.filter(plan=tool.quality_plan_id)
        self.fields["component"].queryset = CoreComponent.objects.filter(
            area__plan=tool.quality_plan_id
        ).select_related("area")
        self.fields["component"].label_from_instance = lambda c: f"{c.area.name}: {c.name}"

    def clean(self):
        cleaned = super().clean()
        area, component = cleaned.get("area"), cleaned.get("component")
        if area is not None and component is not None and component.area_id != area.pk:
            self.add_error("component", _("Kjernekomponenten hører til et annet utviklingsområde."))
        return cleaned


@dataclass
class AnswerFields:
    answer: AssessmentAnswer
    score: forms.BoundField
    reflection: forms.BoundField


class SelfAssessmentForm(forms.Form):
    """The whole assessment on one page: when and who, then per statement a score on the
    four labelled levels and a reflection. Nothing is required here; completing checks
    that every statement has a score (in the service)."""

    conducted_on = forms.DateField(label=_("Dato"), widget=DateInput())
    participants = forms.CharField(
        label=_("Hvem deltok"),
        max_length=250,
        required=False,
        help_text=_("For eksempel hele personalet."),
    )

    def __init__(self, *args, assessment: SelfAssessment, answers: list[AssessmentAnswer], **kw):
        kw.setdefault(
            "initial",
            {"conducted_on": assessment.conducted_on, "participants": assessment.participants},
        )
        super().__init__(*args, **kw)
        self.answers = answers
        for answer in answers:
            self.fields[f"score_{answer.pk}"] = forms.TypedChoiceField(
                label=_("Vurdering"),
                choices=Score.choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=answer.score,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"reflection_{answer.pk}"] = forms.CharField(
                label=_("Refleksjon"),
                required=False,
                max_length=max_length_of(AssessmentAnswer, "reflection"),
                initial=answer.reflection,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def answer_fields(self) -> list[AnswerFields]:
        return [
            AnswerFields(
                answer=answer,
                score=self[f"score_{answer.pk}"],
                reflection=self[f"reflection_{answer.pk}"],
            )
            for answer in self.answers
        ]

    def grouped(self) -> list[tuple[DevelopmentArea, list[AnswerFields]]]:
        """The statements' fields grouped under their development area."""
        groups: list[tuple[DevelopmentArea, list[AnswerFields]]] = []
        for item in self.answer_fields():
            area = item.answer.statement.area
            if not groups or groups[-1][0].pk != area.pk:
                groups.append((area, []))
            groups[-1][1].append(item)
        return groups

    def answer_data(self) -> dict[int, dict]:
        return {
            answer.pk: {
                "score": self.cleaned_data.get(f"score_{answer.pk}"),
                "reflection": self.cleaned_data.get(f"reflection_{answer.pk}", ""),
            }
            for answer in self.answers
        }


class SectorFilterForm(forms.Form):
    service_field = forms.ChoiceField(
        label=_("Tjenesteområde"),
        required=False,
        choices=[("", _("Alle tjenesteområder")), *ServiceField.choices],
    )


# --- Group sessions -----------------------------------------------------------------------


class GroupChoiceForm(forms.Form):
    """Step one of starting a group session (sent with GET, so it works without
    JavaScript): which group, and the unit or the tool where the group needs one. Only
    the groups and units the facilitator may run are offered."""

    group = forms.ChoiceField(label=_("Gruppe"))
    unit = forms.ModelChoiceField(
        label=_("Enhet"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("For enhetens ansatte: enheten du leder."),
    )
    service_field = forms.ChoiceField(
        label=_("Kvalitetsverktøy"),
        required=False,
        help_text=_(
            "For lederne i sektoren: verktøyet dere vurderer dere mot. Administrasjon og "
            "politikk bruker alltid verktøyet for administrasjon og politikk."
        ),
    )

    def __init__(self, *args, groups: list[tuple[str, str]], units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups
        self.fields["unit"].queryset = units
        self.fields["service_field"].choices = [("", "—"), *ServiceField.choices]

    def clean(self):
        cleaned = super().clean()
        group = cleaned.get("group")
        if group == AssessmentGroup.UNIT_STAFF and not cleaned.get("unit"):
            self.add_error("unit", _("Velg enheten egenvurderingen gjelder."))
        if group == AssessmentGroup.LEADERS and not cleaned.get("service_field"):
            self.add_error("service_field", _("Velg hvilket kvalitetsverktøy dere bruker."))
        return cleaned


class GroupStartForm(forms.Form):
    """Step two: the participants, chosen among those who fit the group."""

    participants = forms.ModelMultipleChoiceField(
        label=_("Deltakere"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Hver deltaker vurderer påstandene alene og anonymt. Fordelingen av svarene vises "
            "først når svarinnsamlingen er avsluttet, og bare når minst %(threshold)s har svart."
        ),
    )
    conducted_on = forms.DateField(label=_("Dato for samlingen"), widget=DateInput())

    def __init__(self, *args, candidates, threshold: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        field.queryset = candidates
        field.label_from_instance = lambda user: user.get_full_name() or user.username
        field.help_text = field.help_text % {"threshold": threshold}


class GroupAnswerForm(forms.Form):
    """A participant's scores: one required choice per statement, nothing else."""

    def __init__(self, *args, statements: list[ToolStatement], **kwargs):
        super().__init__(*args, **kwargs)
        self.statements = statements
        for statement in statements:
            self.fields[f"score_{statement.pk}"] = forms.TypedChoiceField(
                label=statement.text,
                choices=Score.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Velg en vurdering for påstanden.")},
            )

    def grouped(self) -> list[tuple[DevelopmentArea, list[tuple[ToolStatement, object]]]]:
        groups: list[tuple[DevelopmentArea, list]] = []
        for statement in self.statements:
            if not groups or groups[-1][0].pk != statement.area_id:
                groups.append((statement.area, []))
            groups[-1][1].append((statement, self[f"score_{statement.pk}"]))
        return groups

    def scores(self) -> dict[int, int]:
        data = self.cleaned_data
        return {statement.pk: data[f"score_{statement.pk}"] for statement in self.statements}
