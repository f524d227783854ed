"""Every change goes through these functions, whether it comes from a view, the admin, an
import, a management command or a task. They validate fully, write atomically and record
what changed in a plan's history themselves."""

from plans.services.organisation import (
    membership_confirm,
    membership_grant,
    membership_reject,
    membership_revoke,
    membership_save,
    municipality_save,
    unit_save,
)

__all__ = [
    "membership_confirm",
    "membership_grant",
    "membership_reject",
    "membership_revoke",
    "membership_save",
    "municipality_save",
    "unit_save",
]
