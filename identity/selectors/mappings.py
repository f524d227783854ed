"""Reads of group mappings and their log, scoped in one place for the admin, the sector
leaders' confirmation page and the services' own checks."""

from __future__ import annotations

from django.db.models import QuerySet

from identity.models import GroupMappingChange, GroupRoleMapping, MappingStatus
from plans.access import access_for
from plans.models import Membership, Municipality, Role


def municipalities_administered_by(user) -> list[int]:
    """The municipalities whose mappings ``user`` edits: a data admin's own (all for a
    superuser)."""
    if not user.is_active:
        return []
    if user.is_superuser:
        return list(Municipality.objects.values_list("pk", flat=True))
    return list(
        Membership.objects.filter(user=user, role=Role.DATA_ADMIN, pending=False)
        .values_list("municipality_id", flat=True)
        .distinct()
    )


def _reviewed_municipalities(user) -> QuerySet[Municipality]:
    """A sector leader's municipality (all for a superuser, for a first sector leader)."""
    access = access_for(user)
    if access.is_superuser:
        return Municipality.objects.all()
    if access.has_role(Role.SECTOR_LEADER) and access.municipality_id:
        return Municipality.objects.filter(pk=access.municipality_id)
    return Municipality.objects.none()


def pending_group_mappings_for(user) -> QuerySet[GroupRoleMapping]:
    """Mappings waiting for confirmation that ``user`` may confirm or reject: their own
    municipality's as sector leader, never one they edited."""
    return (
        GroupRoleMapping.objects.filter(
            status=MappingStatus.PENDING, municipality__in=_reviewed_municipalities(user)
        )
        .exclude(changed_by=user)
        .select_related("municipality", "unit", "changed_by")
        .order_by("pk")
    )


def group_mapping_changes_for(user) -> QuerySet[GroupMappingChange]:
    """The mapping log of the sector leader's municipality."""
    return GroupMappingChange.objects.filter(
        municipality__in=_reviewed_municipalities(user)
    ).select_related("municipality")
