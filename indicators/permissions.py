"""Who may do what with indicators, as django-rules predicates (mirroring
``indicators.querysets``)."""

from __future__ import annotations

import rules

from plans.access import access_for
from plans.permissions import (
    in_own_municipality,
    is_data_admin,
    is_portal_member,
    is_sector_leader,
    is_superuser,
)

member = is_portal_member & in_own_municipality


@rules.predicate
def owns_indicator(user, indicator) -> bool:
    """The indicator belongs to the user's municipality (an installation-wide one belongs
    to no municipality: only installation administrators change it)."""
    municipality_id = access_for(user).municipality_id
    return (
        indicator is not None
        and municipality_id is not None
        and indicator.municipality_id == municipality_id
    )


@rules.predicate
def reads_indicator(user, indicator) -> bool:
    """Mirrors ``Indicator.objects.visible_to``: the installation's and the user's own."""
    if indicator is None:
        return True
    access = access_for(user)
    return access.is_superuser or (
        access.municipality_id is not None
        and indicator.municipality_id in (None, access.municipality_id)
    )


# Public statistics: every member reads the installation's and their own municipality's.
rules.add_perm("indicators.view_indicator", is_portal_member & reads_indicator)
for model in ("source", "place", "observation"):
    rules.add_perm(f"indicators.view_{model}", is_portal_member)
# The municipality's own targets, commentary and saved column mappings.
for model in ("target", "commentary"):
    rules.add_perm(f"indicators.view_{model}", member)
# Saved column mappings are the data admins' tools (ImportMappingQuerySet.narrow).
rules.add_perm("indicators.view_importmapping", member & (is_superuser | is_data_admin))
# Importing files, the import history and rolling back: data admins.
rules.add_perm("indicators.import_indicators", member & (is_superuser | is_data_admin))
rules.add_perm(
    "indicators.view_importbatch", member & (is_superuser | is_data_admin | is_sector_leader)
)
rules.add_perm("indicators.rollback_importbatch", member & (is_superuser | is_data_admin))
# The municipality's saved column mappings: listed, corrected and deleted by data admins.
rules.add_perm("indicators.manage_importmapping", member & (is_superuser | is_data_admin))
# Targets, commentary and links to the plan: the sector leader.
rules.add_perm("indicators.manage_targets", member & (is_superuser | is_sector_leader))
rules.add_perm("indicators.comment_indicator", member & (is_superuser | is_sector_leader))
# An indicator's settings (description, decimals, direction, published …): its own
# municipality's sector leaders and data admins; an installation-wide indicator's, the
# installation administrators only.
rules.add_perm(
    "indicators.change_indicator",
    is_superuser | (is_portal_member & (is_sector_leader | is_data_admin) & owns_indicator),
)
# Its links to the municipality's own plan: any indicator the municipality reads.
rules.add_perm(
    "indicators.link_indicator",
    is_portal_member & reads_indicator & (is_superuser | is_sector_leader | is_data_admin),
)
