"""Forms for the leader dialogues. The choices offered are the ones the services accept
(units the user may hold a dialogue with, the people of those units); the services check
again, so a forged choice is refused there too."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.access import access_for
from plans.forms_unit_plans import DateInput
from plans.models import (
    AgreedPoint,
    Dialogue,
    DialogueKind,
    DialogueStatus,
    Membership,
    PointStatus,
    Role,
    Unit,
)
from plans.schoolyear import SchoolYear
from plans.selectors.dialogues import dialogue_point_owner_candidates
from plans.text_limits import max_length_of


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def dialogue_kinds_for(user) -> list[tuple[str, str]]:
    kinds = []
    if user.has_perm("plans.add_unit_dialogue"):
        kinds.append((DialogueKind.UNIT.value, str(DialogueKind.UNIT.label)))
    if user.has_perm("plans.add_team_dialogue"):
        kinds.append((DialogueKind.TEAM.value, str(DialogueKind.TEAM.label)))
    return kinds


class DialogueCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type samtale"))
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none())
    school_year = forms.TypedChoiceField(label=_("Skoleår"), coerce=int)
    held_on = forms.DateField(label=_("Dato"), widget=DateInput())
    counterparts = forms.ModelMultipleChoiceField(
        label=_("Samtalepartnere"),
        queryset=get_user_model().objects.none(),
        help_text=_(
            "I en virksomhetssamtale: enhetens leder. I en ledersamtale: én eller flere "
            "ansatte ved enheten."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_for(user)
        self.fields["kind"].choices = dialogue_kinds_for(user)
        units = Unit.objects.visible_to(user).active()
        if not access.has_role(Role.SECTOR_LEADER):
            units = units.filter(pk__in=access.unit_ids(Role.UNIT_LEADER))
        self.fields["unit"].queryset = units.order_by("name")
        current = SchoolYear.current()
        self.fields["school_year"].choices = SchoolYear.choices(
            [current.previous(), current, current.next()]
        )
        self.fields["school_year"].initial = current.start_year
        self.fields["held_on"].initial = timezone.localdate()
        # The people of those units who may be a party: leaders (unit dialogues) and
        # staff (team dialogues), named with their unit; the service matches them to the
        # chosen unit and kind.
        memberships = (
            Membership.objects.in_force()
            .filter(unit__in=units, role__in=(Role.UNIT_LEADER, Role.STAFF))
            .exclude(user=user)
            .select_related("user", "unit")
            .order_by("unit__name", "role", "user__last_name", "user__first_name")
        )
        labels: dict[int, list[str]] = {}
        for membership in memberships:
            unit_name = membership.unit.name if membership.unit else ""
            labels.setdefault(membership.user_id, []).append(
                f"{unit_name}: {membership.get_role_display()}"
            )
        self.fields["counterparts"].queryset = (
            get_user_model()
            .objects.filter(pk__in=list(labels), is_active=True)
            .order_by("last_name", "first_name", "username")
        )
        self.fields["counterparts"].label_from_instance = lambda person: (
            f"{_person(person)} ({', '.join(labels.get(person.pk, []))})"
        )


class DialogueForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Dialogue
        fields = ("held_on", "notes")
        widgets = {
            "held_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {"notes": _("Notatene leses bare av partene og deres ledere.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version


class AgreedPointForm(forms.Form):
    text = forms.CharField(
        label=_("Avtalt punkt"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(AgreedPoint, "text"),
    )
    owner = forms.ModelChoiceField(label=_("Ansvarlig"), queryset=get_user_model().objects.none())
    due_on = forms.DateField(label=_("Frist"), widget=DateInput())

    def __init__(self, *args, dialogue: Dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = dialogue_point_owner_candidates(unit=dialogue.unit)
        self.fields["owner"].label_from_instance = _person


class AgreedPointStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (PointStatus.DONE.value, PointStatus.DONE.label),
            (PointStatus.DROPPED.value, PointStatus.DROPPED.label),
        ],
        initial=PointStatus.DONE.value,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Kommentar"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=max_length_of(AgreedPoint, "done_note"),
        help_text=_("Hva ble gjort? Skriv hvorfor, om punktet droppes."),
    )


class DialogueFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Skoleår"), coerce=int, required=False)
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, user, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Alle skoleår")), *SchoolYear.choices(years)]
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(user)
            .filter(Q(dialogues__in=Dialogue.objects.visible_to(user)))
            .distinct()
            .order_by("name")
        )
        self.fields["unit"].empty_label = _("Alle enheter")
        self.fields["status"].choices = [("", _("Alle")), *DialogueStatus.choices]
