"""The order form (which plan and which school year the report is for), the forms of the
administration's assessment, the mapping of indicators to the law's three topics, and the
forms of the council's treatment: the treatment, a follow-up item, its status, a question
and its answer."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from plans.models import QualityPlan
from plans.schoolyear import SchoolYear
from plans.text_limits import max_length_of
from reports.models import (
    Assessment,
    AssessmentQuestion,
    FollowUpItem,
    FollowUpStatus,
    LawTopic,
    Question,
    Treatment,
)


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

    def shown_year(self) -> int:
        """The school year the form stands at: the one chosen when it was sent and valid,
        else the one it offers first (last school year)."""
        # is_valid() fills cleaned_data with every field that is valid, even when another
        # field is not.
        if self.is_bound and (self.is_valid() or "year" in self.cleaned_data):
            return self.cleaned_data["year"]
        return self.initial.get("year", SchoolYear.current().start_year - 1)


class LawTopicsForm(forms.Form):
    """Which indicators the report shows under each of the law's three topics, in order:
    one numbered place per indicator (a few empty places to add more). One choice list
    for every place, read once, so the page's queries do not grow with the places."""

    EXTRA_PLACES = 3
    MIN_PLACES = 4
    MAX_PLACES = 40

    def __init__(self, *args, indicators, current: dict[str, list], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = {indicator.pk: indicator for indicator in indicators}
        choices = [("", _("– ingen –"))] + [
            (pk, f"{indicator.name} ({indicator.source.name})")
            for pk, indicator in self.indicators.items()
        ]
        self.places: dict[str, list[str]] = {}
        for topic, label in LawTopic.choices:
            chosen = current.get(topic, [])
            count = min(
                max(len(chosen) + self.EXTRA_PLACES, self.MIN_PLACES, self._posted(topic)),
                self.MAX_PLACES,
            )
            names = []
            for place in range(1, count + 1):
                name = f"{topic}_{place}"
                self.fields[name] = forms.TypedChoiceField(
                    label=_("%(topic)s, plass %(place)s") % {"topic": label, "place": place},
                    choices=choices,
                    coerce=int,
                    required=False,
                    empty_value=None,
                    error_messages={
                        "invalid_choice": _(
                            "%(topic)s, plass %(place)s: velg en indikator fra listen."
                        )
                        % {"topic": label, "place": place}
                    },
                )
                if not self.is_bound and place <= len(chosen):
                    self.initial[name] = chosen[place - 1].pk
                names.append(name)
            self.places[topic] = names

    def _posted(self, topic: str) -> int:
        """The highest place the submitted form sent (so a place added in the browser is
        not lost); ``__init__`` keeps it within MAX_PLACES."""
        highest = 0
        prefix = f"{topic}_"
        for key in self.data:
            if key.startswith(prefix) and key[len(prefix) :].isdigit():
                highest = max(highest, int(key[len(prefix) :]))
        return highest

    def topic_fields(self):
        """(topic label, the topic's bound fields) for the template."""
        return [
            (LawTopic(topic).label, topic, [self[name] for name in names])
            for topic, names in self.places.items()
        ]

    def clean(self):
        cleaned = super().clean()
        topics: dict[str, list] = {}
        for topic, names in self.places.items():
            label = LawTopic(topic).label
            seen: dict[int, int] = {}
            chosen = []
            for place, name in enumerate(names, start=1):
                pk = cleaned.get(name)
                if pk is None:
                    continue
                if pk in seen:
                    self.add_error(
                        name,
                        _(
                            "%(topic)s, plass %(place)s: indikatoren står allerede på "
                            "plass %(first)s."
                        )
                        % {"topic": label, "place": place, "first": seen[pk]},
                    )
                    continue
                seen[pk] = place
                chosen.append(self.indicators[pk])
            topics[topic] = chosen
        cleaned["topics"] = topics
        return cleaned


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


class AssessmentForm(forms.Form):
    """KS's five questions: a text, or «Ingen endring», for each."""

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = []
        for question in AssessmentQuestion:
            text_name = f"{question.value}_text"
            no_change_name = f"{question.value}_no_change"
            self.fields[text_name] = forms.CharField(
                label=question.label,
                required=False,
                strip=False,
                max_length=max_length_of(Assessment, text_name),
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[no_change_name] = forms.BooleanField(
                label=_("Ingen endring"), required=False
            )
            if not self.is_bound:
                text, no_change = assessment.answer(question.value)
                self.initial[text_name] = text
                self.initial[no_change_name] = no_change
            self.questions.append((question, self[text_name], self[no_change_name]))

    def answers(self) -> dict[str, tuple[str, bool]]:
        return {
            question.value: (
                self.cleaned_data[f"{question.value}_text"],
                self.cleaned_data[f"{question.value}_no_change"],
            )
            for question in AssessmentQuestion
        }


class AssessmentReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Kommentar til skribenten"),
        max_length=max_length_of(Assessment, "return_comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en kommentar som sier hva som bør endres.")},
    )


class AssessmentInviteForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Inviter en skribent"),
        queryset=None,
        error_messages={
            "required": _("Velg personen som skal inviteres."),
            "invalid_choice": _("Velg en person i kommunen fra listen."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates


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
