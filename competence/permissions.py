"""Who may do what with competence activities, as django-rules predicates.

Object checks mirror ``competence.querysets``: the activity table, sessions, needs and
the annual wheel are the municipality's shared plan; registrations belong to the
participant, the activity's organisers, their unit's leaders and the sector leaders."""

from __future__ import annotations

import rules

from plans.access import access_for
from plans.models import Membership, Role
from plans.permissions import (
    in_own_municipality,
    is_bti_coordinator,
    is_data_admin,
    is_elected_official,
    is_only_elected_official,
    is_portal_member,
    is_sector_leader,
    is_superuser,
    is_unit_leader,
)


def _activity_of(obj):
    """The activity an object hangs on: itself, a session's or a registration's."""
    from competence.models import Activity, Registration, Session

    if isinstance(obj, Activity):
        return obj
    if isinstance(obj, Session):
        return obj.activity
    if isinstance(obj, Registration):
        return obj.session.activity
    return None


@rules.predicate
def organises(user, obj) -> bool:
    activity = _activity_of(obj)
    if activity is None or activity.pk is None:
        return False
    return activity.organisers.filter(pk=user.pk).exists()


@rules.predicate
def is_own_registration(user, registration) -> bool:
    return registration is not None and registration.user_id == user.pk


@rules.predicate
def leads_participant(user, registration) -> bool:
    if registration is None:
        return False
    led = access_for(user).unit_ids(Role.UNIT_LEADER)
    return (
        bool(led)
        and Membership.objects.filter(user_id=registration.user_id, unit_id__in=led).exists()
    )


@rules.predicate
def is_own_token(user, token) -> bool:
    return token is not None and token.user_id == user.pk


member = is_portal_member & in_own_municipality
plans_competence = is_superuser | is_sector_leader

# The activity table and the annual wheel: every member of the municipality.
for model in ("activity", "session", "fundingscheme", "theme", "needsurvey", "calendarevent"):
    rules.add_perm(f"competence.view_{model}", member)
rules.add_perm("competence.add_activity", member & plans_competence)
rules.add_perm("competence.change_activity", member & (plans_competence | organises))
rules.add_perm("competence.delete_activity", member & plans_competence)
# Registrations by name and attendance: the organisers and the sector leaders.
rules.add_perm("competence.view_registrations", member & (plans_competence | organises))
rules.add_perm("competence.mark_attendance", member & (plans_competence | organises))
# Anyone working in the sector signs up; elected officials read the plan.
rules.add_perm("competence.register_session", member & ~is_only_elected_official)
rules.add_perm(
    "competence.view_registration",
    member & (plans_competence | is_own_registration | organises | leads_participant),
)
rules.add_perm("competence.cancel_registration", member & (is_own_registration | plans_competence))
rules.add_perm("competence.give_feedback", member & is_own_registration)
rules.add_perm("competence.view_unit_attendance", member & (plans_competence | is_unit_leader))
# Every unit's sign-ups, not only the units one leads.
rules.add_perm("competence.view_all_unit_attendance", member & plans_competence)

# Money: the sector leader plans it; elected officials follow it.
rules.add_perm("competence.view_budget", member & (plans_competence | is_elected_official))
rules.add_perm("competence.manage_funding", member & plans_competence)

# Needs surveys: anyone reads the aggregate; sector leaders and data admins import.
rules.add_perm("competence.view_needs", member)
rules.add_perm("competence.import_needs", member & (plans_competence | is_data_admin))

# The yearly evaluation holds counts and averages only.
rules.add_perm("competence.view_evaluation", member)
rules.add_perm("competence.export_evaluation", member & (plans_competence | is_elected_official))

# The annual wheel.
rules.add_perm("competence.view_wheel", member)
rules.add_perm("competence.manage_events", member & plans_competence)
rules.add_perm("competence.add_feed", member)
rules.add_perm("competence.revoke_feed", member & (is_own_token | is_superuser))
# A feed's secret URL is its owner's alone (mirrors FeedTokenQuerySet.visible_to).
rules.add_perm("competence.view_feedtoken", member & (is_own_token | is_superuser))

# Mandatory training (the BTI model): the requirement is part of the competence plan every
# member reads; the employer's demand is set by the sector leader, like the plan's
# activities. Who has completed it, by name: the sector leader and the BTI coordinator for
# every unit, a unit leader for the units they lead (the view narrows with Unit.led_by).
rules.add_perm("competence.view_trainingrequirement", member)
rules.add_perm("competence.manage_training_requirements", member & plans_competence)
follows_training_everywhere = plans_competence | is_bti_coordinator
rules.add_perm(
    "competence.view_training_status", member & (follows_training_everywhere | is_unit_leader)
)
rules.add_perm("competence.view_all_training_status", member & follows_training_everywhere)
