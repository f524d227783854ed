"""Consultation meetings (samarbeidsmøter): the coordinator's schedules, each meeting's
protocol, and the follow-up of its actions. Every page passes the portal's gate; objects
come through the ``visible_to`` querysets (404 outside them) and the action's rule (403).
No TOTP: these pages hold no personal data (the texts are anonymous,
``btitracker.anonymity``), only the names of the adults who attend."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from btitracker import consultation_forms as forms
from btitracker.consultation_calendar import meeting_dates_build
from btitracker.models import (
    ConsultationAction,
    ConsultationMeeting,
    ConsultationSchedule,
)
from btitracker.permissions import works_in
from btitracker.selectors import consultations as selectors
from btitracker.services import consultations as services
from btitracker.views.cases import BtiMemberRequiredMixin, NoStoreMixin
from plans.schoolyear import SchoolYear
from plans.views.gate import add_service_errors


class ConsultationMixin(NoStoreMixin, BtiMemberRequiredMixin):
    def find(self, queryset, rule: str | None = None):
        """The URL's object among those the user reads (404 otherwise), then the action's
        rule (403)."""
        obj = queryset.visible_to(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            raise Http404
        if rule is not None:
            self.require(rule, obj)
        return obj


class ConsultationListView(ConsultationMixin, TemplateView):
    template_name = "btitracker/consultations/list.html"
    permission_required = "btitracker.view_consultations"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = SchoolYear.current()
        context.update(
            year=year,
            schedules=selectors.schedules_overview(user, school_year=year.start_year),
            my_actions=list(selectors.my_consultation_actions(user)),
            to_record=list(selectors.meetings_to_record(user)),
            can_add=user.has_perm("btitracker.add_consultationschedule"),
        )
        return context


class ConsultationScheduleCreateView(ConsultationMixin, View):
    """Step one shows the dates (and the skipped ones, with why) for the chosen pattern;
    step two saves the schedules with exactly those dates."""

    permission_required = "btitracker.add_consultationschedule"
    template_name = "btitracker/consultations/schedule_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": forms.ScheduleForm(user=request.user)})

    def post(self, request):
        form = forms.ScheduleForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        data = form.cleaned_data
        year = SchoolYear(data["school_year"])
        if data.get("step") == "save":
            try:
                created = services.consultation_schedules_create(
                    actor=request.user,
                    units=data["units"],
                    school_year=year,
                    weekday=data["weekday"],
                    week_of_month=data["week_of_month"],
                    services=data["services"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                return render(request, self.template_name, {"form": form}, status=400)
            messages.success(
                request,
                _("Møteplan for %(year)s lagret for %(count)s enheter.")
                % {"year": year.label, "count": len(created)},
            )
            return redirect("bti:consultations")
        dates = meeting_dates_build(
            year=year, weekday=data["weekday"], week_of_month=data["week_of_month"]
        )
        confirm = forms.ScheduleForm(
            {**request.POST.dict(), "step": "save"}
            | {
                "units": [str(u.pk) for u in data["units"]],
                "services": [str(s.pk) for s in data["services"]],
            },
            user=request.user,
        )
        confirm.hide_all()
        return render(
            request,
            self.template_name,
            {"form": confirm, "dates": dates, "year": year, "preview": True, "chosen": data},
        )


class ConsultationScheduleDetailView(ConsultationMixin, TemplateView):
    template_name = "btitracker/consultations/schedule_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schedule = self.find(
            ConsultationSchedule.objects.select_related("unit").prefetch_related("services")
        )
        user = self.request.user
        context.update(
            schedule=schedule,
            year=SchoolYear(schedule.school_year),
            meetings=list(schedule.meetings.all()),
            can_move=user.has_perm("btitracker.add_consultationschedule")
            and ConsultationSchedule.objects.writable_by(user).filter(pk=schedule.pk).exists(),
            can_record=ConsultationMeeting.objects.writable_by(user)
            .filter(schedule=schedule)
            .exists(),
            today=timezone.localdate(),
        )
        return context


class ConsultationMeetingDetailView(ConsultationMixin, TemplateView):
    template_name = "btitracker/consultations/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meeting = self.find(
            ConsultationMeeting.objects.select_related(
                "schedule__unit", "protocol_by"
            ).prefetch_related(
                "attendance__service",
                "matters",
                Prefetch(
                    "actions",
                    queryset=ConsultationAction.objects.select_related("responsible", "matter"),
                ),
            )
        )
        context.update(
            meeting=meeting,
            schedule=meeting.schedule,
            can_record=user.has_perm("btitracker.record_consultationprotocol", meeting),
            can_move=user.has_perm("btitracker.move_consultationmeeting", meeting),
            # The concern is raised in one's own unit: the unit the matter was discussed for.
            can_raise_concern=user.has_perm("btitracker.add_concern")
            and works_in(user=user, unit=meeting.schedule.unit),
        )
        return context


class ConsultationProtocolView(ConsultationMixin, View):
    template_name = "btitracker/consultations/protocol_form.html"

    def load_objects(self):
        self.meeting = self.find(
            ConsultationMeeting.objects.select_related("schedule__unit"),
            "btitracker.record_consultationprotocol",
        )

    def _forms(self, data=None):
        meeting = self.meeting
        candidates = selectors.responsible_candidates(meeting)
        return (
            forms.ProtocolForm(
                data, initial={"held_on": min(meeting.planned_on, timezone.localdate())}
            ),
            forms.AttendanceFormSet(data, prefix="deltaker", form_kwargs={"meeting": meeting}),
            forms.MatterFormSet(data, prefix="sak"),
            forms.ConsultationActionFormSet(
                data, prefix="tiltak", form_kwargs={"candidates": candidates}
            ),
        )

    def _render(self, parts, status=200):
        form, attendance, matters, actions = parts
        context = {
            "meeting": self.meeting,
            "form": form,
            "attendance": attendance,
            "matters": matters,
            "actions": actions,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        if self.meeting.status != "planlagt":
            messages.info(request, _("Protokollen for dette møtet er allerede ført."))
            return redirect("bti:consultation-meeting", pk)
        return self._render(self._forms())

    def post(self, request, pk):
        parts = self._forms(request.POST)
        form, attendance, matters, actions = parts
        if all(part.is_valid() for part in parts):
            try:
                services.consultation_protocol_record(
                    actor=request.user,
                    meeting=self.meeting,
                    held_on=form.cleaned_data["held_on"],
                    attendance=[
                        services.AttendanceInput(
                            name=row.get("name") or "", service=row.get("service")
                        )
                        for row in attendance.cleaned_data
                    ],
                    matters=[
                        services.MatterInput(
                            summary=row.get("summary") or "",
                            outcome=row.get("outcome") or "drøftet",
                        )
                        for row in matters.cleaned_data
                    ],
                    actions=[
                        services.ConsultationActionInput(
                            description=row.get("description") or "",
                            responsible=row.get("responsible"),
                            follow_up_on=row.get("follow_up_on"),
                            matter_number=row.get("matter_number"),
                        )
                        for row in actions.cleaned_data
                    ],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Protokollen er lagret."))
                return redirect("bti:consultation-meeting", pk)
        return self._render(parts, status=400)


class ConsultationMeetingChangeView(ConsultationMixin, View):
    template_name = "btitracker/consultations/meeting_change.html"

    def load_objects(self):
        self.meeting = self.find(
            ConsultationMeeting.objects.select_related("schedule__unit"),
            "btitracker.move_consultationmeeting",
        )

    def _render(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "meeting": self.meeting},
            status=status,
        )

    def get(self, request, pk):
        return self._render(
            forms.MeetingChangeForm(initial={"planned_on": self.meeting.planned_on})
        )

    def post(self, request, pk):
        form = forms.MeetingChangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["change"] == form.CANCEL:
                    services.consultation_meeting_cancel(
                        actor=request.user, meeting=self.meeting, reason=data["cancelled_reason"]
                    )
                else:
                    services.consultation_meeting_change(
                        actor=request.user, meeting=self.meeting, planned_on=data["planned_on"]
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Møtet er endret."))
                return redirect("bti:consultation-schedule", self.meeting.schedule_id)
        return self._render(form, status=400)


class ConsultationActionFollowUpView(ConsultationMixin, View):
    template_name = "btitracker/consultations/action_follow_up.html"

    def load_objects(self):
        self.action = self.find(
            ConsultationAction.objects.select_related("meeting__schedule__unit"),
            "btitracker.follow_up_consultationaction",
        )

    def _render(self, form, status=200):
        return render(
            self.request, self.template_name, {"form": form, "action": self.action}, status=status
        )

    def get(self, request, pk):
        return self._render(forms.ActionFollowUpForm())

    def post(self, request, pk):
        form = forms.ActionFollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.consultation_action_complete(
                    actor=request.user,
                    action=self.action,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["follow_up_note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Oppfølgingen er lagret."))
                return redirect("bti:consultations")
        return self._render(form, status=400)
