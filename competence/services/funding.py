"""Writes for funding schemes and their yearly grants. The views and any import call the
same function, so a scheme always belongs to the saving user's municipality and holds at
most one grant per school year."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from competence.models import FundingGrant, FundingScheme
from plans.models import Municipality
from plans.schoolyear import SchoolYear
from plans.services.common import model_update

SCHEME_FIELDS = ("name", "description", "active")
GRANT_FIELDS = ("school_year", "amount", "note")


@transaction.atomic
def funding_scheme_save(
    *,
    municipality: Municipality,
    data: Mapping[str, Any],
    grants: Sequence[Mapping[str, Any]],
    actor,
    instance: FundingScheme | None = None,
) -> FundingScheme:
    """Create or change a funding scheme and replace its grants with ``grants`` (one per
    school year: years left out are removed, the others created or updated)."""
    refused = sorted(set(data) - set(SCHEME_FIELDS))
    if refused:
        raise ValidationError(_("Ukjente felt: %(fields)s.") % {"fields": ", ".join(refused)})
    if instance is None:
        instance = FundingScheme(municipality=municipality, **data)
        instance.full_clean()
        instance.save()
    else:
        # Compared with the stored row: a form may already have changed ``instance``.
        instance = FundingScheme.objects.select_for_update().get(pk=instance.pk)
        if instance.municipality_id != municipality.pk:
            raise ValidationError(_("Tilskuddsordningen hører til en annen kommune."))
        instance, _updated = model_update(instance=instance, fields=SCHEME_FIELDS, data=data)

    years = [grant["school_year"] for grant in grants]
    repeated = sorted({year for year in years if years.count(year) > 1})
    if repeated:
        raise ValidationError(
            _("Det kan bare være ett tilskudd per skoleår: %(years)s står flere ganger.")
            % {"years": ", ".join(SchoolYear(year).label for year in repeated)}
        )
    instance.grants.exclude(school_year__in=years).delete()
    existing = {grant.school_year: grant for grant in instance.grants.all()}
    for values in grants:
        given = {name: values[name] for name in GRANT_FIELDS if name in values}
        if "note" in given:
            given["note"] = given["note"] or ""
        grant = existing.get(values["school_year"])
        if grant is None:
            grant = FundingGrant(scheme=instance, **given)
            grant.full_clean()
            grant.save()
        else:
            model_update(instance=grant, fields=GRANT_FIELDS, data=given)
    return instance
