import logging

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminUserCreationForm, PasswordResetForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from plans.models import UnitKind
from plans.tasks import send_password_reset_email
from plans.text import normalise_name, validate_name

logger = logging.getLogger(__name__)


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Søk etter navn"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Alle typer")), *UnitKind.choices]
    )
    include_inactive = forms.BooleanField(label=_("Vis også inaktive"), required=False)


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset mail from a Celery task, so a slow mail server never holds up the
    page, and answers the same whether or not the address is known."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        email = self.cleaned_data["email"]
        domain = domain_override or (request.get_host() if request else "localhost")
        for user in self.get_users(email):
            try:
                send_password_reset_email.delay_on_commit(
                    user.pk, domain=domain, use_https=use_https
                )
            except OperationalError:
                # The answer page must not differ for known addresses, so the failure is
                # logged for operators instead of shown.
                logger.exception("Could not queue the password reset e-mail for user %s", user.pk)


class PersonNameFormMixin:
    """First and last names as ``plans.text`` wants them: text-direction and control
    characters refused, the rest normalised (NFC, no zero-width characters, one space)."""

    def _person_name(self, field: str) -> str:
        value = self.cleaned_data.get(field) or ""  # type: ignore[attr-defined]
        validate_name(value)
        return normalise_name(value)

    def clean_first_name(self) -> str:
        return self._person_name("first_name")

    def clean_last_name(self) -> str:
        return self._person_name("last_name")


class PortalUserChangeForm(PersonNameFormMixin, UserChangeForm):
    """The user admin's change form with the portal's name rules."""


class PortalUserCreationForm(PersonNameFormMixin, AdminUserCreationForm):
    """The user admin's add form with the portal's name rules."""


def _person_label(user) -> str:
    return user.get_full_name() or user.username


def limit_owner_choices(
    form: forms.BaseForm, *, municipality_id: int | None, unit_id: int | None = None
) -> None:
    """Offer as owner only those the rule allows (``plans.selectors.owners``); anyone else
    posted — another municipality's user, say — is refused with the rule in words."""
    from plans.selectors.owners import owner_candidates, owner_rule_text

    field = form.fields.get("owner")
    if not isinstance(field, forms.ModelChoiceField):
        return
    field.queryset = (
        owner_candidates(municipality_id=municipality_id, unit_id=unit_id)
        if municipality_id
        else get_user_model().objects.none()
    )
    field.label_from_instance = _person_label  # type: ignore[method-assign,assignment]
    field.empty_label = _("Ikke valgt ennå")
    field.help_text = owner_rule_text(unit_id=unit_id)
    field.error_messages["invalid_choice"] = owner_rule_text(unit_id=unit_id)
