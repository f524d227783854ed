"""Activities, their sessions, sign-up with a waiting list, attendance and feedback.

Objects are found through ``visible_to`` (404 outside the user's municipality or scope)
and each action asks its rule (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from competence.forms_activities import ActivityForm, FeedbackForm, SessionForm
from competence.models import Activity, Registration, RegistrationStatus, Session
from competence.selectors.training import training_due_for
from competence.services import activities as services
from plans.models import Membership, Unit
from plans.schoolyear import SchoolYear
from plans.selectors import assessment as selectors_assessment
from plans.views.gate import MemberRequiredMixin, add_service_errors, error_text, own_municipality


def sessions_with_counts(activity_sessions):
    return activity_sessions.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
        ),
    )


class ActivityDetailView(MemberRequiredMixin, TemplateView):
    template_name = "competence/activities/detail.html"

    def load_objects(self):
        self.activity = get_object_or_404(
            Activity.objects.visible_to(self.request.user)
            .select_related("funding_scheme")
            .prefetch_related(
                "themes", "target_units", "organiser_units", "organisers", "areas", "components"
            ),
            pk=self.kwargs["pk"],
        )
        self.require("competence.view_activity", self.activity)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        activity = self.activity
        sessions = list(sessions_with_counts(activity.sessions.all()))
        mine = {
            registration.session_id: registration
            for registration in Registration.objects.filter(
                session__activity=activity, user_id=user.pk
            ).exclude(status=RegistrationStatus.CANCELLED)
        }
        now = timezone.now()
        for session in sessions:
            session.my_registration = mine.get(session.pk)
            session.started = session.has_started(now)
            session.full = (
                session.capacity is not None and session.confirmed_count >= session.capacity
            )
            session.seats_left = (
                None
                if session.capacity is None
                else max(session.capacity - session.confirmed_count, 0)
            )
        can_register = user.has_perm("competence.register_session", activity)
        context.update(
            activity=activity,
            sessions=sessions,
            can_register=can_register,
            meant_for_me=can_register
            and Activity.objects.filter(pk=activity.pk).meant_for(user).exists(),
            can_change=user.has_perm("competence.change_activity", activity),
            can_delete=user.has_perm("competence.delete_activity", activity),
            can_see_registrations=user.has_perm("competence.view_registrations", activity),
        )
        return context


class ActivityFormMixin(MemberRequiredMixin):
    template_name = "competence/activities/form.html"

    def get_form(self, data=None):
        return ActivityForm(
            data,
            instance=self.instance,
            municipality=self.municipality,
            plan=selectors_assessment.plan_in_force(self.request.user),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            activity = form.save(commit=False)
            activity.municipality = self.municipality
            try:
                activity = services.activity_save(activity=activity, data=form.m2m_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Tiltaket er lagret."))
                return redirect("competence:activity-detail", pk=activity.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        return context


class ActivityCreateView(ActivityFormMixin, TemplateView):
    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            raise PermissionDenied
        self.require("competence.add_activity", self.municipality)
        self.instance = Activity(municipality=self.municipality)


class ActivityUpdateView(ActivityFormMixin, TemplateView):
    def load_objects(self):
        self.instance = get_object_or_404(
            Activity.objects.visible_to(self.request.user).select_related("municipality"),
            pk=self.kwargs["pk"],
        )
        self.require("competence.change_activity", self.instance)
        self.municipality = self.instance.municipality


class ActivityDeleteView(MemberRequiredMixin, TemplateView):
    template_name = "competence/activities/delete.html"

    def load_objects(self):
        self.activity = get_object_or_404(
            Activity.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("competence.delete_activity", self.activity)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity"] = self.activity
        context["registrations"] = (
            Registration.objects.filter(session__activity=self.activity).active().count()
        )
        return context

    def post(self, request, *args, **kwargs):
        title = self.activity.title
        services.activity_delete(activity=self.activity)
        messages.success(request, _("«%(title)s» er slettet.") % {"title": title})
        return redirect("competence:activity-table")


# --- Sessions -----------------------------------------------------------------------------


class SessionFormMixin(MemberRequiredMixin):
    template_name = "competence/activities/session_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=SessionForm(instance=self.instance))
        )

    def post(self, request, *args, **kwargs):
        form = SessionForm(request.POST, instance=self.instance)
        if form.is_valid():
            try:
                services.session_save(session=form.save(commit=False))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Samlingen er lagret."))
                return redirect("competence:activity-detail", pk=self.activity.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(activity=self.activity, instance=self.instance)
        return context


class SessionCreateView(SessionFormMixin, TemplateView):
    def load_objects(self):
        self.activity = get_object_or_404(
            Activity.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("competence.change_activity", self.activity)
        self.instance = Session(activity=self.activity)


class SessionUpdateView(SessionFormMixin, TemplateView):
    def load_objects(self):
        self.instance = get_object_or_404(
            Session.objects.visible_to(self.request.user).select_related("activity"),
            pk=self.kwargs["pk"],
        )
        self.activity = self.instance.activity
        self.require("competence.change_activity", self.activity)


class SessionDeleteView(MemberRequiredMixin, TemplateView):
    template_name = "competence/activities/session_delete.html"

    def load_objects(self):
        self.session = get_object_or_404(
            Session.objects.visible_to(self.request.user).select_related("activity"),
            pk=self.kwargs["pk"],
        )
        self.require("competence.change_activity", self.session.activity)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session"] = self.session
        context["registrations"] = self.session.registrations.active().count()
        return context

    def post(self, request, *args, **kwargs):
        activity_pk = self.session.activity_id
        services.session_delete(session=self.session)
        messages.success(request, _("Samlingen er slettet."))
        return redirect("competence:activity-detail", pk=activity_pk)


# --- Sign-up ------------------------------------------------------------------------------


class SessionRegisterView(MemberRequiredMixin, TemplateView):
    http_method_names = ["post"]

    def load_objects(self):
        self.session = get_object_or_404(
            Session.objects.visible_to(self.request.user).select_related("activity"),
            pk=self.kwargs["pk"],
        )
        self.require("competence.register_session", self.session.activity)

    def post(self, request, *args, **kwargs):
        try:
            registration = services.registration_create(session=self.session, user=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if registration.status == RegistrationStatus.WAITING:
                messages.warning(
                    request,
                    _("Samlingen er full. Du står på ventelisten og får e-post hvis du får plass."),
                )
            else:
                messages.success(request, _("Du er påmeldt."))
        return redirect("competence:activity-detail", pk=self.session.activity_id)


class RegistrationCancelView(MemberRequiredMixin, TemplateView):
    http_method_names = ["post"]

    def load_objects(self):
        self.registration = get_object_or_404(
            Registration.objects.visible_to(self.request.user).select_related("session"),
            pk=self.kwargs["pk"],
        )
        self.require("competence.cancel_registration", self.registration)

    def post(self, request, *args, **kwargs):
        try:
            services.registration_cancel(registration=self.registration)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Du er meldt av."))
        target = request.POST.get("next")
        if target == "mine":
            return redirect("competence:mine")
        return redirect("competence:activity-detail", pk=self.registration.session.activity_id)


class SessionAttendanceView(MemberRequiredMixin, TemplateView):
    template_name = "competence/activities/attendance.html"

    def load_objects(self):
        self.session = get_object_or_404(
            Session.objects.visible_to(self.request.user).select_related("activity"),
            pk=self.kwargs["pk"],
        )
        self.require("competence.mark_attendance", self.session.activity)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registrations = self.session.registrations.select_related("user").order_by(
            "user__first_name", "user__last_name", "user__username"
        )
        context.update(
            session=self.session,
            activity=self.session.activity,
            confirmed=[r for r in registrations if r.status == RegistrationStatus.CONFIRMED],
            waiting=sorted(
                (r for r in registrations if r.status == RegistrationStatus.WAITING),
                key=lambda r: (r.registered_at, r.pk),
            ),
            can_mark=timezone.localdate(self.session.starts_at) <= timezone.localdate(),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            attended = {int(value) for value in request.POST.getlist("attended")}
        except ValueError:
            attended = None
        if attended is None:
            messages.error(request, _("Ugyldig valg av deltakere."))
            return self.render_to_response(self.get_context_data(), status=400)
        try:
            counts = services.attendance_save(session=self.session, attended_ids=attended)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(
            request,
            _("Oppmøtet er lagret: %(attended)s møtte, %(absent)s møtte ikke.") % counts,
        )
        return redirect("competence:session-attendance", pk=self.session.pk)


class FeedbackView(MemberRequiredMixin, TemplateView):
    template_name = "competence/activities/feedback.html"

    def load_objects(self):
        self.registration = get_object_or_404(
            Registration.objects.visible_to(self.request.user).select_related("session__activity"),
            pk=self.kwargs["pk"],
        )
        self.require("competence.give_feedback", self.registration)
        if self.registration.attended is not True:
            raise Http404

    def get(self, request, *args, **kwargs):
        feedback = getattr(self.registration, "feedback", None)
        initial = {"score": feedback.score, "comment": feedback.comment} if feedback else None
        return self.render_to_response(self.get_context_data(form=FeedbackForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.feedback_save(registration=self.registration, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Takk for tilbakemeldingen."))
                return redirect("competence:mine")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registration"] = self.registration
        context["session"] = self.registration.session
        return context


# --- Personal and unit overviews ----------------------------------------------------------


class MyActivitiesView(MemberRequiredMixin, TemplateView):
    """What is meant for me this year, and what I have signed up for."""

    template_name = "competence/activities/mine.html"

    def load_objects(self):
        self.require("competence.register_session", own_municipality(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        year = SchoolYear.current().start_year
        upcoming = Prefetch(
            "sessions",
            queryset=sessions_with_counts(Session.objects.filter(starts_at__gt=now)),
            to_attr="upcoming_sessions",
        )
        offered = (
            Activity.objects.visible_to(user)
            .filter(school_year__gte=year)
            .meant_for(user)
            .prefetch_related(upcoming)
            .order_by("title")
        )
        registrations = list(
            Registration.objects.filter(user_id=user.pk)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("session__activity", "feedback")
            .order_by("session__starts_at")
        )
        mine = {registration.session_id for registration in registrations}
        context.update(
            offered=[
                activity
                for activity in offered
                if any(session.pk not in mine for session in activity.upcoming_sessions)
            ],
            upcoming=[r for r in registrations if r.session.starts_at > now],
            past=[r for r in registrations if r.session.starts_at <= now][::-1],
            organised=Activity.objects.visible_to(user)
            .filter(organisers=user.pk, school_year__gte=year - 1)
            .prefetch_related("sessions"),
            school_year_label=SchoolYear(year).label,
            training_due=training_due_for(user, now=now),
        )
        return context


class UnitAttendanceView(MemberRequiredMixin, TemplateView):
    """A leader's view of their unit's sign-ups and attendance in a school year."""

    template_name = "competence/activities/unit_attendance.html"

    def load_objects(self):
        user = self.request.user
        self.require("competence.view_unit_attendance", own_municipality(user))
        units = Unit.objects.visible_to(user).order_by("name")
        if not user.has_perm("competence.view_all_unit_attendance"):
            units = units.led_by(user)
        self.units = list(units)
        if not self.units:
            raise PermissionDenied
        try:
            wanted = int(self.request.GET.get("unit", self.units[0].pk))
            self.year = int(self.request.GET.get("year", SchoolYear.current().start_year))
        except ValueError as error:
            raise Http404 from error
        self.unit = next((unit for unit in self.units if unit.pk == wanted), None)
        if self.unit is None:
            raise Http404

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = Membership.objects.filter(unit=self.unit).values("user_id")
        registrations = list(
            Registration.objects.visible_to(self.request.user)
            .filter(user_id__in=people, session__activity__school_year=self.year)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("user", "session__activity")
            .order_by("user__first_name", "user__last_name", "user__username", "session__starts_at")
        )
        held = [r for r in registrations if r.session.starts_at <= timezone.now()]
        confirmed_held = [r for r in held if r.status == RegistrationStatus.CONFIRMED]
        attended = sum(1 for r in confirmed_held if r.attended)
        context.update(
            units=self.units,
            unit=self.unit,
            year=self.year,
            year_label=SchoolYear(self.year).label,
            years=SchoolYear.choices(
                range(SchoolYear.current().start_year - 3, SchoolYear.current().start_year + 2)
            ),
            registrations=registrations,
            held_count=len(confirmed_held),
            attended_count=attended,
            attendance_rate=round(100 * attended / len(confirmed_held)) if confirmed_held else None,
            people_count=len({r.user_id for r in registrations}),
        )
        return context
