from __future__ import annotations

from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from config import local_broker
from config.celery import local_worker_missing
from plans import home_panels
from plans.access import access_for
from plans.forms import QueuedPasswordResetForm, UnitFilterForm
from plans.login_guard import is_locked_device, is_throttled, remember_device
from plans.models import Membership, Role, Unit, UnitPlan, UnitPlanStatus
from plans.selectors import organisation as selectors
from plans.selectors.owners import followed_up_by
from plans.views.gate import MemberRequiredMixin


class HomeView(MemberRequiredMixin, TemplateView):
    template_name = "plans/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        access = access_for(user)
        roles = access.roles()
        context["municipality"] = (
            user.memberships.select_related("municipality").first().municipality
            if access.municipality_id
            else None
        )
        context["roles"] = [label for role, label in Role.choices if role in roles]
        if access.pending:
            context["pending_roles"] = selectors.pending_roles_of(user)
        if user.has_perm("plans.review_memberships"):
            context["memberships_to_confirm"] = selectors.pending_memberships_for(user).count()
        if roles & {Role.SECTOR_LEADER, Role.ELECTED_OFFICIAL, Role.BTI_COORDINATOR}:
            context["units_by_kind"] = selectors.units_by_kind(user)
        if Role.UNIT_LEADER in roles:
            led = list(selectors.units_for_role(user, Role.UNIT_LEADER))
            members = (
                Membership.objects.visible_to(user)
                .filter(unit__in=led)
                .exclude(user=user)
                .select_related("user", "unit")
                .order_by("unit__name", "role", "user__last_name")
            )
            by_unit = {unit.pk: [] for unit in led}
            for membership in members:
                by_unit[membership.unit_id].append(membership)
            context["led_units"] = [(unit, by_unit[unit.pk]) for unit in led]
        if Role.STAFF in roles:
            context["staff_units"] = selectors.units_for_role(user, Role.STAFF)
        if roles & {Role.UNIT_LEADER, Role.STAFF}:
            context["my_plans"] = selectors.current_plans_of_my_units(user)
        if Role.SECTOR_LEADER in roles:
            context["plans_to_review"] = (
                UnitPlan.objects.visible_to(user)
                .filter(status=UnitPlanStatus.SUBMITTED)
                .select_related("unit")
                .order_by("submitted_at")
            )
        # «Dette følger du opp»: what the user owns (issue 20), three queries however much.
        context["followed_up"] = followed_up_by(user)
        context["panels"] = home_panels.panels_for(user)
        if Role.DATA_ADMIN in roles:
            context["memberships_by_role"] = selectors.memberships_by_role(user)
            context["units_without_leader"] = selectors.units_without_leader(user)
        return context


class UnitListView(MemberRequiredMixin, ListView):
    template_name = "plans/unit_list.html"
    context_object_name = "units"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = UnitFilterForm(self.request.GET or None)
        units = Unit.objects.visible_to(self.request.user).select_related("parent")
        if not self.filter_form.is_valid():
            return units.active()
        data = self.filter_form.cleaned_data
        if not data["include_inactive"]:
            units = units.active()
        if data["q"]:
            units = units.filter(name__icontains=data["q"])
        if data["kind"]:
            units = units.filter(kind=data["kind"])
        return units

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class UnitDetailView(MemberRequiredMixin, DetailView):
    template_name = "plans/unit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset=None):
        # Another municipality's unit is not found, rather than forbidden: its existence
        # is not the caller's business.
        return get_object_or_404(
            Unit.objects.visible_to(self.request.user).select_related("parent", "municipality"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        context["members"] = selectors.unit_members(self.request.user, unit)
        context["children"] = Unit.objects.visible_to(self.request.user).filter(parent=unit)
        return context


class ProfileView(MemberRequiredMixin, TemplateView):
    template_name = "plans/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = (
            Membership.objects.visible_to(self.request.user)
            .filter(user=self.request.user)
            .select_related("unit", "municipality")
        )
        return context


class PortalLoginView(auth_views.LoginView):
    """Django's login, which also leaves a device cookie (plans/login_guard.py): the
    browser is then not locked out by other clients' failed guesses at this name."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # One button per municipality's identity provider (identity/, issue 17).
        context["oidc_providers"] = list(settings.OIDC_PROVIDERS.values())
        return context

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username")
        if is_locked_device(request, username):
            return get_lockout_response(request, credentials={"username": username})
        if is_throttled(request, username):
            # Counted like any failure, so an address that keeps trying a throttled name
            # keeps extending its own cool-off.
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=request
            )
            return get_lockout_response(request, credentials={"username": username})
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user())
        return response


class PortalPasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class HealthView(View):
    """Liveness and readiness for load balancers and compose healthchecks.

    Reports the database always; Redis and the Celery workers when Redis is configured,
    the folder broker and its worker without Redis (config/local_broker.py), and
    "in-process" when tasks run eagerly. Answers 503 when any configured part is down.
    Says nothing about data."""

    def get(self, request):
        checks: dict[str, str] = {}
        checks["database"] = _check(lambda: connection.ensure_connection())
        if settings.REDIS_URL:
            checks["redis"] = _check(_ping_redis)
            checks["worker"] = _check(_ping_worker)
        elif settings.LOCAL_BROKER_DIR is not None:
            checks["broker"] = _check(
                lambda: local_broker.check_writable(settings.LOCAL_BROKER_DIR)
            )
            checks["worker"] = _check(_local_worker)
        else:
            checks["tasks"] = "in-process"
        healthy = all(value in {"ok", "in-process"} for value in checks.values())
        return JsonResponse(
            {"status": "ok" if healthy else "error", "checks": checks},
            status=200 if healthy else 503,
        )


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _ping_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    client.ping()


def _local_worker() -> None:
    if local_worker_missing():
        raise RuntimeError("no worker is running")


def _ping_worker() -> None:
    from config.celery import app

    replies = app.control.ping(timeout=1.0)
    if not replies:
        raise RuntimeError("no worker answered")
