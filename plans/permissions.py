"""Who may do what with the organisation, as django-rules predicates.

The object predicates mirror ``plans.querysets``: an object is visible exactly when the
matching ``visible_to(user)`` queryset contains it. ``tests/plans/test_permissions.py``
checks the two against each other for every persona.
"""

from __future__ import annotations

import rules

from plans.access import access_for
from plans.models import EDITABLE_STATES, Municipality, Role, UnitPlanStatus


def has_role(role: str) -> rules.Predicate:
    @rules.predicate(name=f"has_role:{role}")
    def predicate(user) -> bool:
        return access_for(user).has_role(role)

    return predicate


is_sector_leader = has_role(Role.SECTOR_LEADER)
is_unit_leader = has_role(Role.UNIT_LEADER)
is_staff_member = has_role(Role.STAFF)
is_bti_coordinator = has_role(Role.BTI_COORDINATOR)
is_elected_official = has_role(Role.ELECTED_OFFICIAL)
is_data_admin = has_role(Role.DATA_ADMIN)


@rules.predicate
def is_superuser(user) -> bool:
    return access_for(user).is_superuser


@rules.predicate
def is_portal_member(user) -> bool:
    return access_for(user).municipality_id is not None or access_for(user).is_superuser


def _municipality_id_of(obj) -> int | None:
    if isinstance(obj, Municipality):
        return obj.pk
    return getattr(obj, "municipality_id", None)


@rules.predicate
def in_own_municipality(user, obj) -> bool:
    """True for objects of the user's municipality; ``None`` (a model-level check) passes,
    since model-level access is then scoped by ``visible_to``."""
    if obj is None:
        return True
    access = access_for(user)
    return access.is_superuser or (
        access.municipality_id is not None and _municipality_id_of(obj) == access.municipality_id
    )


@rules.predicate
def is_own_membership(user, membership) -> bool:
    return membership is not None and membership.user_id == user.pk


@rules.predicate
def leads_membership_unit(user, membership) -> bool:
    if membership is None or membership.unit_id is None:
        return False
    return membership.unit_id in access_for(user).unit_ids(Role.UNIT_LEADER)


@rules.predicate
def manages_member(user, obj) -> bool:
    """The membership's user (or the user itself) is one ``user`` may manage: never a
    superuser, a staff user or one's own account for a data admin. ``None`` (a model-level
    check) passes, since the admin's querysets then apply ``users_managed_by``."""
    from plans.models import Membership
    from plans.selectors.organisation import users_managed_by

    if obj is None:
        return True
    target_id = obj.user_id if isinstance(obj, Membership) else obj.pk
    return users_managed_by(user).filter(pk=target_id).exists()


@rules.predicate
def sets_credentials_of(user, target) -> bool:
    from plans.selectors.organisation import users_with_credentials_managed_by

    return target is not None and (
        users_with_credentials_managed_by(user).filter(pk=target.pk).exists()
    )


@rules.predicate
def may_confirm_membership(user, membership) -> bool:
    from plans.selectors.organisation import pending_memberships_for

    return membership is not None and (
        pending_memberships_for(user).filter(pk=membership.pk).exists()
    )


manages_organisation = is_superuser | is_data_admin
views_all_memberships = is_superuser | is_data_admin | is_sector_leader

rules.add_perm("plans", is_superuser | is_data_admin)  # the admin's "Organisasjon" section
rules.add_perm("plans.view_municipality", is_portal_member & in_own_municipality)
rules.add_perm("plans.change_municipality", is_superuser | (is_data_admin & in_own_municipality))
rules.add_perm("plans.add_municipality", is_superuser)
rules.add_perm("plans.delete_municipality", is_superuser)

rules.add_perm("plans.view_unit", is_portal_member & in_own_municipality)
for action in ("add", "change", "delete"):
    rules.add_perm(f"plans.{action}_unit", manages_organisation & in_own_municipality)

rules.add_perm(
    "plans.view_membership",
    is_portal_member
    & in_own_municipality
    & (views_all_memberships | is_own_membership | leads_membership_unit),
)
for action in ("add", "change", "delete"):
    rules.add_perm(
        f"plans.{action}_membership", manages_organisation & in_own_municipality & manages_member
    )
# Four eyes on grants that open BTI logs (plans.models.CONFIRMED_ROLES).
rules.add_perm("plans.confirm_membership", may_confirm_membership)
rules.add_perm("plans.review_memberships", is_superuser | is_sector_leader)
# The record of a municipality's grants is its own sector leaders' (as the queryset).
rules.add_perm(
    "plans.view_membershipchange", is_superuser | (is_sector_leader & in_own_municipality)
)

# Users are managed by data admins of the municipality they belong to, within
# plans.selectors.organisation.users_managed_by; the admin's queryset is the same.
rules.add_perm("auth", manages_organisation)
for action in ("view", "add", "change"):
    rules.add_perm(f"auth.{action}_user", manages_organisation & manages_member)
rules.add_perm("auth.delete_user", is_superuser)
# Password and e-mail: see plans.selectors.organisation.users_with_credentials_managed_by.
rules.add_perm("auth.set_credentials_user", manages_organisation & sets_credentials_of)

# The portal's own pages.
rules.add_perm("plans.access_admin", manages_organisation)


@rules.predicate
def is_only_elected_official(user) -> bool:
    """Elected officials read summaries and published material, never working papers."""
    roles = access_for(user).roles()
    return bool(roles) and roles <= {Role.ELECTED_OFFICIAL}


# --- The quality plan -------------------------------------------------------------------


@rules.predicate
def is_adopted(user, plan) -> bool:
    return plan is not None and plan.adopted_on is not None


@rules.predicate
def is_draft_plan(user, plan) -> bool:
    return plan is not None and plan.adopted_on is None


rules.add_perm(
    "plans.view_qualityplan",
    is_portal_member & in_own_municipality & (is_superuser | is_sector_leader | is_adopted),
)
rules.add_perm("plans.add_qualityplan", is_superuser | is_sector_leader)
# An adopted plan is read-only: it is changed by starting a new revision.
rules.add_perm(
    "plans.change_qualityplan",
    (is_superuser | is_sector_leader) & in_own_municipality & is_draft_plan,
)
rules.add_perm(
    "plans.adopt_qualityplan",
    (is_superuser | is_sector_leader) & in_own_municipality & is_draft_plan,
)
rules.add_perm(
    "plans.revise_qualityplan",
    (is_superuser | is_sector_leader) & in_own_municipality & is_adopted,
)
rules.add_perm(
    "plans.view_qualityplan_history",
    (is_superuser | is_sector_leader) & in_own_municipality,
)


# --- Unit development plans -------------------------------------------------------------


def _unit_id_of(obj) -> int | None:
    """A unit, or anything that belongs to one (a unit plan, a self-assessment)."""
    from plans.models import Unit

    if obj is None:
        return None
    if isinstance(obj, Unit):
        return obj.pk
    return getattr(obj, "unit_id", None)


@rules.predicate
def leads_unit(user, obj) -> bool:
    unit_id = _unit_id_of(obj)
    return unit_id is not None and unit_id in access_for(user).unit_ids(Role.UNIT_LEADER)


@rules.predicate
def works_in_unit(user, obj) -> bool:
    unit_id = _unit_id_of(obj)
    access = access_for(user)
    return unit_id is not None and (
        unit_id in access.unit_ids(Role.UNIT_LEADER) or unit_id in access.unit_ids(Role.STAFF)
    )


def _status_is(*states: str) -> rules.Predicate:
    @rules.predicate(name=f"status_in:{'/'.join(states)}")
    def predicate(user, plan) -> bool:
        return plan is not None and plan.status in states

    return predicate


@rules.predicate
def is_published_plan(user, plan) -> bool:
    return plan is not None and plan.is_published


is_editable_plan = _status_is(*sorted(EDITABLE_STATES))
is_submitted_plan = _status_is(UnitPlanStatus.SUBMITTED)
is_approved_plan = _status_is(UnitPlanStatus.APPROVED)

# Mirrors UnitPlanQuerySet.visible_to.
reads_unit_plan = (
    is_portal_member
    & in_own_municipality
    & (is_superuser | is_sector_leader | works_in_unit | is_published_plan)
)
# The full plan, with names and history. Elected officials read summaries instead.
reads_unit_plan_detail = reads_unit_plan & ~is_only_elected_official
# Who follows an area up, by name, on the portal's pages: the members who read working
# papers (elected officials read the published report, which names the owner with role).
rules.add_perm("plans.view_owner_names", is_portal_member & ~is_only_elected_official)
rules.add_perm("plans.view_unitplan", reads_unit_plan)
rules.add_perm("plans.view_unitplan_detail", reads_unit_plan_detail)
rules.add_perm("plans.view_unitplan_summary", reads_unit_plan)


@rules.predicate
def reads_measure_plan(user, measure) -> bool:
    """A measure is read with its unit plan (mirrors MeasureQuerySet.visible_to)."""
    return measure is not None and reads_unit_plan.test(user, measure.plan)


rules.add_perm("plans.view_measure", reads_measure_plan)
# Object: the unit the plan is for.
rules.add_perm("plans.add_unitplan", in_own_municipality & (is_superuser | leads_unit))
rules.add_perm(
    "plans.change_unitplan", in_own_municipality & (is_superuser | leads_unit) & is_editable_plan
)
rules.add_perm(
    "plans.submit_unitplan", in_own_municipality & (is_superuser | leads_unit) & is_editable_plan
)
rules.add_perm(
    "plans.review_unitplan",
    in_own_municipality & (is_superuser | is_sector_leader) & is_submitted_plan,
)
rules.add_perm(
    "plans.evaluate_unitplan",
    in_own_municipality & (is_superuser | leads_unit) & is_approved_plan,
)


# --- Quality tools and self-assessment --------------------------------------------------


@rules.predicate
def facilitates_assessment(user, obj) -> bool:
    """Runs the assessment: a unit's (its own, or its staff's session) is the unit
    leader's; a group spanning the municipality (no unit) is the sector leaders'."""
    if obj is None:
        return False
    if getattr(obj, "unit_id", None) is None:
        return access_for(user).has_role(Role.SECTOR_LEADER)
    return leads_unit.test(user, obj)


@rules.predicate
def took_part_in_completed(user, assessment) -> bool:
    """Invited to the group session, which is completed (the object may also be a unit:
    ``view_selfassessment`` on a unit's history page, which no invitation opens)."""
    from plans.models import AssessmentStatus, SelfAssessment

    return (
        isinstance(assessment, SelfAssessment)
        and assessment.status == AssessmentStatus.COMPLETED
        and assessment.session_participants.filter(user_id=user.pk).exists()
    )


@rules.predicate
def is_open_session_for(user, assessment) -> bool:
    """Invited, not yet answered, and the session still collects answers (mirrors
    SelfAssessmentQuerySet.open_sessions_for)."""
    from plans.models import AssessmentStatus

    return (
        assessment is not None
        and assessment.status == AssessmentStatus.COLLECTING
        and assessment.session_participants.filter(user_id=user.pk, has_answered=False).exists()
    )


rules.add_perm("plans.view_qualitytool", is_portal_member & in_own_municipality)
rules.add_perm("plans.change_qualitytool", (is_superuser | is_sector_leader) & in_own_municipality)
# Mirrors SelfAssessmentQuerySet.visible_to.
rules.add_perm(
    "plans.view_selfassessment",
    is_portal_member
    & in_own_municipality
    & (is_superuser | is_sector_leader | works_in_unit | took_part_in_completed),
)
# Object: the unit, or the assessment being continued.
rules.add_perm("plans.add_selfassessment", in_own_municipality & (is_superuser | leads_unit))
rules.add_perm(
    "plans.change_selfassessment", in_own_municipality & (is_superuser | facilitates_assessment)
)
# Group sessions: a unit leader for the unit's staff, a sector leader for the groups
# spanning the municipality (object: the unit, or None for those groups).
rules.add_perm("plans.start_group_assessment", is_superuser | is_sector_leader | is_unit_leader)
rules.add_perm("plans.start_municipality_group_assessment", is_superuser | is_sector_leader)
# The response count and the (disclosure-controlled) distributions: the facilitator and
# the sector leaders, never the participants as such.
rules.add_perm(
    "plans.view_assessment_responses",
    is_portal_member
    & in_own_municipality
    & (is_superuser | is_sector_leader | facilitates_assessment),
)
rules.add_perm("plans.answer_selfassessment", in_own_municipality & is_open_session_for)
# The self-assessment pages at all (the menu): those who run or follow assessments.
rules.add_perm(
    "plans.access_selfassessments",
    is_superuser | is_sector_leader | is_unit_leader | is_staff_member,
)
# Sector-wide comparisons of units.
rules.add_perm("plans.view_sector_assessments", is_superuser | is_sector_leader)
# A participant's own list of sessions: anyone who belongs to a municipality may be invited.
rules.add_perm("plans.view_own_sessions", is_portal_member)


# --- Fortellinger -----------------------------------------------------------------------


@rules.predicate
def is_publishable(user, obj) -> bool:
    return obj is not None and obj.publishable


# Mirrors the participation querysets' visible_to.
reads_participation = (
    is_portal_member & in_own_municipality & (~is_only_elected_official | is_publishable)
)
manages_participation = is_superuser | is_sector_leader | is_data_admin
rules.add_perm("plans.view_participationinput", reads_participation)
rules.add_perm("plans.view_userjourney", reads_participation)
# Unit leaders register input from their own unit's processes.
rules.add_perm(
    "plans.add_participationinput", in_own_municipality & (manages_participation | is_unit_leader)
)
for model in ("participationinput", "userjourney"):
    rules.add_perm(f"plans.change_{model}", manages_participation & in_own_municipality)
    rules.add_perm(f"plans.delete_{model}", manages_participation & in_own_municipality)
rules.add_perm("plans.add_userjourney", manages_participation)


# --- The sector dashboard ---------------------------------------------------------------

rules.add_perm("plans.view_dashboard", is_superuser | is_sector_leader)


# --- Leader dialogues -------------------------------------------------------------------
# Private to the two parties and their superiors: no superuser or data admin exception.


def _dialogue_of(obj):
    from plans.models import AgreedPoint

    return obj.dialogue if isinstance(obj, AgreedPoint) else obj


@rules.predicate
def in_dialogue_municipality(user, obj) -> bool:
    """The dialogue (or point) belongs to the user's own municipality; superusers too
    only through a membership."""
    if obj is None:
        return False
    return _dialogue_of(obj).municipality_id == access_for(user).municipality_id


@rules.predicate
def leads_dialogue_unit(user, obj) -> bool:
    return obj is not None and _dialogue_of(obj).unit_id in access_for(user).unit_ids(
        Role.UNIT_LEADER
    )


@rules.predicate
def joined_team_dialogue(user, obj) -> bool:
    from plans.models import DialogueKind

    if obj is None:
        return False
    dialogue = _dialogue_of(obj)
    return dialogue.kind == DialogueKind.TEAM and dialogue.counterparts.filter(pk=user.pk).exists()


@rules.predicate
def owns_point(user, point) -> bool:
    return point is not None and point.owner_id == user.pk


@rules.predicate
def conducts_dialogue(user, obj) -> bool:
    """Who writes the record: the sector leaders for a unit dialogue, the unit's leaders
    for a team dialogue."""
    from plans.models import DialogueKind

    if obj is None:
        return False
    dialogue = _dialogue_of(obj)
    access = access_for(user)
    if dialogue.kind == DialogueKind.UNIT:
        return access.has_role(Role.SECTOR_LEADER)
    return dialogue.unit_id in access.unit_ids(Role.UNIT_LEADER)


@rules.predicate
def is_open_dialogue(user, obj) -> bool:
    from plans.models import DialogueStatus

    return obj is not None and _dialogue_of(obj).status != DialogueStatus.CLOSED


@rules.predicate
def is_open_point(user, point) -> bool:
    from plans.models import PointStatus

    return point is not None and point.status == PointStatus.OPEN


@rules.predicate
def in_member_municipality(user, obj) -> bool:
    """As ``in_own_municipality`` but without the superuser's pass: ``None`` (the page at
    all) passes, an object only in the municipality of the user's membership."""
    if obj is None:
        return True
    municipality_id = access_for(user).municipality_id
    return municipality_id is not None and _municipality_id_of(obj) == municipality_id


@rules.predicate
def no_object(user, obj) -> bool:
    return obj is None


# The pages at all (the menu): the roles that hold or take part in dialogues.
rules.add_perm("plans.access_dialogues", is_sector_leader | is_unit_leader | is_staff_member)
# Mirrors DialogueQuerySet.visible_to.
reads_dialogue = in_dialogue_municipality & (
    is_sector_leader | leads_dialogue_unit | joined_team_dialogue
)
rules.add_perm("plans.view_dialogue", reads_dialogue)
# Mirrors AgreedPointQuerySet.visible_to.
rules.add_perm("plans.view_agreedpoint", reads_dialogue | (in_dialogue_municipality & owns_point))
# Object: the unit. A sector leader holds unit dialogues with any unit of the
# municipality, a unit leader team dialogues in the units they lead; None: the create
# page at all.
holds_unit_dialogue = is_sector_leader & in_member_municipality
holds_team_dialogue = is_unit_leader & in_member_municipality & (no_object | leads_unit)
rules.add_perm("plans.add_unit_dialogue", holds_unit_dialogue)
rules.add_perm("plans.add_team_dialogue", holds_team_dialogue)
rules.add_perm("plans.add_dialogue", holds_unit_dialogue | holds_team_dialogue)
rules.add_perm(
    "plans.change_dialogue", in_dialogue_municipality & conducts_dialogue & is_open_dialogue
)
# The owner marks a point done or dropped; so may whoever conducts the dialogue.
rules.add_perm(
    "plans.change_agreedpoint",
    in_dialogue_municipality & (owns_point | conducts_dialogue) & is_open_point,
)
