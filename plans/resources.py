"""Import and export of units and memberships (django-import-export).

Every row is scoped to the importing user's municipality, and validated by the same model
rules the admin and the services use. Exported text cells that a spreadsheet would run as
a formula are prefixed with an apostrophe; import strips that prefix again, so an export
imports back unchanged.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from plans.access import access_for
from plans.models import Membership, Municipality, Role, Unit, UnitKind

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class ChoiceWidget(widgets.Widget):
    """Reads a choice by its code or by its label in any of the portal's languages'
    default (bokmål) form; writes the code."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = unescape_formula(str(value or "").strip())
        for code, label in self.choices:
            if text.casefold() in {str(code).casefold(), str(label).casefold()}:
                return code
        raise ValueError(
            _("«%(value)s» er ikke en gyldig verdi. Gyldige verdier: %(codes)s.")
            % {"value": text, "codes": ", ".join(code for code, _label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ScopedResource(resources.ModelResource):
    """A resource that knows who imports or exports and keeps them in their municipality."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = user

    def municipality_for(self, number: str) -> Municipality:
        number = unescape_formula(str(number or "").strip())
        municipality = Municipality.objects.visible_to(self.actor).filter(number=number).first()
        if municipality is None:
            raise ValidationError(
                _("Kommunenummer «%(number)s» finnes ikke, eller du har ikke tilgang til det.")
                % {"number": number}
            )
        return municipality

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in row:
            row[field.column_name] = unescape_formula(row[field.column_name])
        return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def filter_export(self, queryset, **kwargs):
        return queryset.model.objects.visible_to(self.actor).filter(pk__in=queryset.values("pk"))


class MunicipalityWidget(widgets.Widget):
    def __init__(self, resource: ScopedResource, **kwargs):
        self.resource = resource
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return self.resource.municipality_for(value)

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


class UnitByNameWidget(widgets.Widget):
    """A unit named in the same row's municipality (column ``kommunenummer``)."""

    def __init__(self, resource: ScopedResource, **kwargs):
        self.resource = resource
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = unescape_formula(str(value or "").strip())
        if not name:
            return None
        municipality = self.resource.municipality_for((row or {}).get("kommunenummer"))
        unit = Unit.objects.filter(municipality=municipality, name=name).first()
        if unit is None:
            raise ValueError(
                _("Fant ingen enhet «%(name)s» i %(municipality)s.")
                % {"name": name, "municipality": municipality.name}
            )
        return unit

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class UnitResource(ScopedResource):
    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["municipality"] = fields.Field(
            attribute="municipality",
            column_name="kommunenummer",
            widget=MunicipalityWidget(self),
        )
        self.fields["parent"] = fields.Field(
            attribute="parent", column_name="overordnet_enhet", widget=UnitByNameWidget(self)
        )
        self.fields["kind"] = fields.Field(
            attribute="kind", column_name="type", widget=ChoiceWidget(UnitKind.choices)
        )

    name = fields.Field(attribute="name", column_name="navn")
    organisation_number = fields.Field(
        attribute="organisation_number", column_name="organisasjonsnummer"
    )
    active = fields.Field(
        attribute="active", column_name="aktiv", widget=widgets.BooleanWidget(), default=True
    )

    class Meta:
        model = Unit
        fields = ("municipality", "name", "kind", "parent", "organisation_number", "active")
        export_order = fields
        import_id_fields = ("municipality", "name")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class MembershipResource(ScopedResource):
    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.fields["municipality"] = fields.Field(
            attribute="municipality",
            column_name="kommunenummer",
            widget=MunicipalityWidget(self),
        )
        self.fields["unit"] = fields.Field(
            attribute="unit", column_name="enhet", widget=UnitByNameWidget(self)
        )
        self.fields["role"] = fields.Field(
            attribute="role", column_name="rolle", widget=ChoiceWidget(Role.choices)
        )

    user = fields.Field(
        attribute="user",
        column_name="brukernavn",
        widget=widgets.ForeignKeyWidget(
            Membership._meta.get_field("user").related_model, field="username"
        ),
    )

    class Meta:
        model = Membership
        fields = ("user", "municipality", "unit", "role")
        export_order = fields
        import_id_fields = ("user", "municipality", "unit", "role")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_import_row(self, row, **kwargs):
        from django.contrib.auth import get_user_model

        username = unescape_formula(str(row.get("brukernavn") or "").strip())
        users = get_user_model().objects.filter(username=username)
        if not users.exists():
            raise ValidationError(
                _("Fant ingen bruker med brukernavnet «%(username)s». Opprett brukeren først.")
                % {"username": username}
            )
        # A user of another municipality cannot be pulled into this one by an import.
        other = Membership.objects.filter(user__username=username).exclude(
            municipality__in=Municipality.objects.visible_to(self.actor)
        )
        if not access_for(self.actor).is_superuser and other.exists():
            raise ValidationError(
                _("Brukeren «%(username)s» hører til en annen kommune.") % {"username": username}
            )
