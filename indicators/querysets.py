"""Scoped reads for the indicators app.

Sources, places and observations are public statistics: every member of a municipality
reads them, and the open API serves the published ones to anyone. An indicator is the
installation's (no municipality) or one municipality's: a member reads the installation's
and their own municipality's. Targets, commentary, saved mappings and import batches
belong to one municipality."""

from __future__ import annotations

from django.db import models

from plans.access import access_for
from plans.querysets import _MunicipalityScope


class _PublicScope(models.QuerySet):
    def visible_to(self, user):
        access = access_for(user)
        if access.is_superuser or access.municipality_id is not None:
            return self.all()
        return self.none()


class SourceQuerySet(_PublicScope):
    pass


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user):
        access = access_for(user)
        if access.is_superuser:
            return self.all()
        if access.municipality_id is None:
            return self.none()
        return self.for_municipality(access.municipality_id)

    def for_municipality(self, municipality_id: int | None):
        """The installation's indicators and the municipality's own (only the
        installation's for ``None``)."""
        shared = models.Q(municipality__isnull=True)
        if municipality_id is None:
            return self.filter(shared)
        return self.filter(shared | models.Q(municipality_id=municipality_id))

    def published(self):
        return self.filter(published=True)


class PlaceQuerySet(_PublicScope):
    pass


class ObservationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from indicators.models import Indicator

        return self.filter(indicator__in=Indicator.objects.visible_to(user))

    def published(self):
        return self.filter(indicator__published=True)


class TargetQuerySet(_MunicipalityScope):
    pass


class CommentaryQuerySet(_MunicipalityScope):
    pass


class ImportMappingQuerySet(_MunicipalityScope):
    def narrow(self, own, access, user):
        """The saved mappings are the data admins' tools (the importer finds them itself,
        by the municipality, without a user)."""
        from plans.models import Role

        if access.has_role(Role.DATA_ADMIN):
            return own
        return own.none()


class ImportBatchQuerySet(_MunicipalityScope):
    def narrow(self, own, access, user):
        """The import history is the data admins' and sector leaders' working list."""
        from plans.models import Role

        if access.has_role(Role.DATA_ADMIN) or access.has_role(Role.SECTOR_LEADER):
            return own
        return own.none()
