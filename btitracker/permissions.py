"""Who may do what in BTI, as django-rules predicates mirroring ``btitracker.querysets``:
an object predicate is true exactly when the object is in the matching ``visible_to``
(or ``writable_by``) queryset, so pages and templates cannot disagree with the lists."""

from __future__ import annotations

import rules

from btitracker.models import (
    Concern,
    ConcernCase,
    ConsultationAction,
    ConsultationMatter,
    ConsultationMeeting,
    ConsultationSchedule,
    Handover,
    Service,
    ServiceNeed,
)
from plans.access import access_for
from plans.models import Membership, Role, Unit
from plans.permissions import (
    in_own_municipality,
    is_bti_coordinator,
    is_elected_official,
    is_portal_member,
    is_sector_leader,
    is_staff_member,
    is_unit_leader,
)


def works_in(*, user, unit: Unit) -> bool:
    """Whether ``user`` works in ``unit`` today (staff or unit leader): who may own or take
    over a unit's concern case."""
    return (
        Membership.objects.in_force()
        .filter(user=user, unit=unit, role__in=[Role.STAFF, Role.UNIT_LEADER])
        .exists()
    )


@rules.predicate
def can_read_concern(user, concern) -> bool:
    return concern is not None and Concern.objects.visible_to(user).filter(pk=concern.pk).exists()


@rules.predicate
def can_decide_concern(user, concern) -> bool:
    return (
        concern is not None
        and concern.is_pending
        and Concern.objects.decidable_by(user).filter(pk=concern.pk).exists()
    )


@rules.predicate
def can_read_case(user, case) -> bool:
    return case is not None and ConcernCase.objects.visible_to(user).filter(pk=case.pk).exists()


@rules.predicate
def can_write_case(user, case) -> bool:
    return case is not None and ConcernCase.objects.writable_by(user).filter(pk=case.pk).exists()


@rules.predicate
def is_holder(user, case) -> bool:
    return case is not None and ConcernCase.objects.held_by(user).filter(pk=case.pk).exists()


@rules.predicate
def exports_case(user, case) -> bool:
    return case is not None and ConcernCase.objects.exportable_by(user).filter(pk=case.pk).exists()


@rules.predicate
def leads_case(user, case) -> bool:
    return case is not None and ConcernCase.objects.led_by(user).filter(pk=case.pk).exists()


@rules.predicate
def can_read_handover(user, handover) -> bool:
    """The proposed new holder while it waits (the handover, not the log), and whoever
    reads the log (mirrors HandoverQuerySet.visible_to)."""
    if handover is None:
        return False
    waits_for_user = Handover.objects.awaiting(user).filter(pk=handover.pk).exists()
    return waits_for_user or can_read_case.test(user, handover.case)


@rules.predicate
def can_read_access_event(user, event) -> bool:
    """The access history of a log: its leader's (mirrors AccessEventQuerySet.visible_to)."""
    if event is None or event.case_id is None:
        return False
    case = ConcernCase.objects.filter(pk=event.case_id).first()
    return case is not None and leads_case.test(user, case)


@rules.predicate
def works_with_children(user) -> bool:
    """Staff and unit leaders: the people who may read logs, so the ones who need TOTP."""
    roles = access_for(user).roles()
    return bool(roles & {Role.STAFF, Role.UNIT_LEADER})


def _in(queryset, obj) -> bool:
    return obj is not None and queryset.filter(pk=obj.pk).exists()


# Consultation meetings (mirror ConsultationScheduleQuerySet and friends).
@rules.predicate
def can_read_consultation_schedule(user, schedule) -> bool:
    return _in(ConsultationSchedule.objects.visible_to(user), schedule)


@rules.predicate
def can_read_consultation_meeting(user, meeting) -> bool:
    return _in(ConsultationMeeting.objects.visible_to(user), meeting)


@rules.predicate
def can_record_consultation_protocol(user, meeting) -> bool:
    return _in(ConsultationMeeting.objects.writable_by(user), meeting)


@rules.predicate
def can_move_consultation_meeting(user, meeting) -> bool:
    return _in(ConsultationMeeting.objects.movable_by(user), meeting)


@rules.predicate
def can_read_consultation_matter(user, matter) -> bool:
    return _in(ConsultationMatter.objects.visible_to(user), matter)


@rules.predicate
def can_read_consultation_action(user, action) -> bool:
    return _in(ConsultationAction.objects.visible_to(user), action)


@rules.predicate
def can_follow_up_consultation_action(user, action) -> bool:
    return _in(ConsultationAction.objects.followable_by(user), action)


@rules.predicate
def can_read_service(user, service) -> bool:
    return service is not None and Service.objects.visible_to(user).filter(pk=service.pk).exists()


@rules.predicate
def can_edit_service(user, service) -> bool:
    return service is not None and Service.objects.editable_by(user).filter(pk=service.pk).exists()


@rules.predicate
def can_read_service_need(user, need) -> bool:
    return need is not None and ServiceNeed.objects.visible_to(user).filter(pk=need.pk).exists()


@rules.predicate
def can_edit_service_need(user, need) -> bool:
    return need is not None and ServiceNeed.objects.editable_by(user).filter(pk=need.pk).exists()


@rules.predicate
def in_a_municipality(user) -> bool:
    """A member of a municipality (a superuser without one has no directory of their own)."""
    return access_for(user).municipality_id is not None


# Statistics only: the coordinator, elected officials and the sector leader; never a list.
sees_statistics = is_bti_coordinator | is_elected_official | is_sector_leader

# The coordinator's follow-up per unit (/bti/oppfolging/): the coordinator, whose task it
# is, and the sector leader, who owns the quality work and the units' follow-up dialogue.
# Not elected officials: they read the published statistics, whose grid has no unit.
follows_up_units = is_bti_coordinator | is_sector_leader

rules.add_perm("btitracker.use_bti", is_staff_member | is_unit_leader)
rules.add_perm("btitracker.add_concern", is_staff_member | is_unit_leader)
rules.add_perm("btitracker.view_concern", can_read_concern)
rules.add_perm("btitracker.decide_concern", can_decide_concern)
rules.add_perm("btitracker.view_concerncase", can_read_case)
rules.add_perm("btitracker.change_concerncase", can_write_case)
rules.add_perm("btitracker.hold_concerncase", is_holder)
# The directory of services: every member reads it; the BTI coordinator keeps it (the
# data admin manages units and users, not what a service helps with).
rules.add_perm("btitracker.view_directory", in_a_municipality)
rules.add_perm("btitracker.manage_directory", is_bti_coordinator)
rules.add_perm("btitracker.view_service", can_read_service)
rules.add_perm("btitracker.change_service", can_edit_service)
rules.add_perm("btitracker.view_serviceneed", can_read_service_need)
rules.add_perm("btitracker.change_serviceneed", can_edit_service_need)
rules.add_perm("btitracker.view_access_history", leads_case)
rules.add_perm("btitracker.export_concerncase", exports_case)
rules.add_perm("btitracker.view_handover", can_read_handover)
rules.add_perm("btitracker.view_accessevent", can_read_access_event)
rules.add_perm("btitracker.view_statistics", sees_statistics)

# The handbook (handlingsveileder): routines, not children. Every member of the
# municipality reads it (mirrors the Handbook* querysets); the BTI coordinator alone writes
# it, so the guidance staff follow has one professional owner. A sector leader who must
# edit it is given the coordinator's role (confirmed like any BTI role) rather than a
# second, parallel right to change it.
reads_handbook = is_portal_member & in_own_municipality
writes_handbook = reads_handbook & is_bti_coordinator
for _model in ("handbookstep", "handbooktool", "handbookchange"):
    rules.add_perm(f"btitracker.view_{_model}", reads_handbook)
rules.add_perm("btitracker.view_handbook", reads_handbook)
rules.add_perm("btitracker.change_handbook", writes_handbook)
# Consultation meetings: the overview for the coordinator, unit leaders and staff (who see
# the meetings of the services they work in and the actions they answer for).
rules.add_perm(
    "btitracker.view_consultations", is_bti_coordinator | is_unit_leader | is_staff_member
)
rules.add_perm("btitracker.add_consultationschedule", is_bti_coordinator)
rules.add_perm("btitracker.view_consultationschedule", can_read_consultation_schedule)
rules.add_perm("btitracker.view_consultationmeeting", can_read_consultation_meeting)
rules.add_perm("btitracker.record_consultationprotocol", can_record_consultation_protocol)
rules.add_perm("btitracker.move_consultationmeeting", can_move_consultation_meeting)
rules.add_perm("btitracker.view_consultationmatter", can_read_consultation_matter)
rules.add_perm("btitracker.view_consultationaction", can_read_consultation_action)
rules.add_perm("btitracker.follow_up_consultationaction", can_follow_up_consultation_action)
rules.add_perm("btitracker.follow_up_units", follows_up_units)
