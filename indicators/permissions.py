"""Who may do what with indicators, as django-rules predicates (mirroring
``indicators.querysets``)."""

from __future__ import annotations

import rules

from plans.permissions import (
    in_own_municipality,
    is_data_admin,
    is_portal_member,
    is_sector_leader,
    is_superuser,
)

member = is_portal_member & in_own_municipality

# Public statistics: every member reads them.
rules.add_perm("indicators.view_indicator", is_portal_member)
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
rules.add_perm(
    "indicators.change_indicator",
    is_portal_member & (is_superuser | is_sector_leader | is_data_admin),
)
