"""The annual wheel (årshjul): the sector's year drawn as a wheel and listed by month, the
sector leaders' events on it, and iCal subscriptions behind secret, revocable URLs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from competence.calendar import (
    by_month,
    municipality_calendar,
    personal_calendar,
)
from competence.forms_calendar import CalendarEventForm, FeedCreateForm, WheelFilterForm
from competence.ical import absolute_url, calendar_ical
from competence.models import CalendarEvent, FeedScope, FeedToken
from competence.services.calendar import (
    calendar_event_delete,
    calendar_event_save,
    feed_token_create,
    feed_token_revoke,
    feed_token_touch,
)
from competence.wheel import annual_wheel_svg
from plans.access import access_for
from plans.schoolyear import SchoolYear
from plans.views.gate import MemberRequiredMixin, own_municipality


def _wheel_url(year: int, anchor: str = "") -> str:
    url = f"{reverse('competence:wheel')}?year={year}"
    return f"{url}#{anchor}" if anchor else url


class AnnualWheelView(MemberRequiredMixin, TemplateView):
    template_name = "competence/calendar/wheel.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        self.require("competence.view_wheel", self.municipality)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = WheelFilterForm(self.request.GET, current_year=SchoolYear.current().start_year)
        year, kind = form.values()
        entries = municipality_calendar(
            user,
            school_year=year,
            municipality=self.municipality,
            kinds=[kind] if kind else None,
        )
        months = by_month(entries, year)
        label = SchoolYear(year).label
        context.update(
            filter_form=form,
            year=year,
            year_label=label,
            kind=kind,
            previous_url=self._year_url(year - 1, kind),
            next_url=self._year_url(year + 1, kind),
            previous_label=SchoolYear(year).previous().label,
            next_label=SchoolYear(year).next().label,
            months=months,
            entry_count=len(entries),
            wheel=annual_wheel_svg(
                school_year=year,
                counts={month["number"]: len(month["entries"]) for month in months},
                title=_("Årshjul for %(year)s") % {"year": label},
                centre_label=label,
            ),
            can_manage=self.municipality is not None
            and user.has_perm("competence.manage_events", self.municipality),
            can_subscribe=self.municipality is not None
            and user.has_perm("competence.add_feed", self.municipality),
        )
        return context

    @staticmethod
    def _year_url(year: int, kind: str) -> str:
        url = _wheel_url(year)
        return f"{url}&kind={kind}" if kind else url


class EventFormMixin(MemberRequiredMixin):
    template_name = "competence/calendar/event_form.html"

    def get(self, request, *args, **kwargs):
        form = CalendarEventForm(instance=self.instance)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = CalendarEventForm(request.POST, instance=self.instance)
        if form.is_valid():
            try:
                event = calendar_event_save(
                    municipality=self.municipality,
                    data={name: form.cleaned_data[name] for name in form.Meta.fields},
                    actor=request.user,
                    instance=self.instance,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Hendelsen er lagret i årshjulet."))
                year = SchoolYear.containing(event.starts_on).start_year
                return redirect(_wheel_url(year, f"hendelse-{event.pk}"))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        return context


class EventCreateView(EventFormMixin, TemplateView):
    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            # A superuser without a membership has no wheel to add events to.
            raise PermissionDenied
        self.require("competence.manage_events", self.municipality)
        self.instance = None


class EventUpdateView(EventFormMixin, TemplateView):
    def load_objects(self):
        self.instance = get_object_or_404(
            CalendarEvent.objects.visible_to(self.request.user).select_related("municipality"),
            pk=self.kwargs["pk"],
        )
        self.municipality = self.instance.municipality
        self.require("competence.manage_events", self.municipality)


class EventDeleteView(MemberRequiredMixin, TemplateView):
    template_name = "competence/calendar/event_delete.html"

    def load_objects(self):
        self.instance = get_object_or_404(
            CalendarEvent.objects.visible_to(self.request.user).select_related("municipality"),
            pk=self.kwargs["pk"],
        )
        self.require("competence.manage_events", self.instance.municipality)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        context["back_url"] = _wheel_url(
            SchoolYear.containing(self.instance.starts_on).start_year,
            f"hendelse-{self.instance.pk}",
        )
        return context

    def post(self, request, *args, **kwargs):
        year = SchoolYear.containing(self.instance.starts_on).start_year
        calendar_event_delete(instance=self.instance, actor=request.user)
        messages.success(request, _("Hendelsen er slettet fra årshjulet."))
        return redirect(_wheel_url(year, f"maned-{self.instance.starts_on.month}"))


# --- Calendar feeds -----------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class FeedListView(MemberRequiredMixin, TemplateView):
    """The user's own subscriptions. The page shows secret URLs, so it is never cached."""

    template_name = "competence/calendar/feeds.html"

    def load_objects(self):
        self.municipality = own_municipality(self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=FeedCreateForm()))

    def post(self, request, *args, **kwargs):
        if self.municipality is None:
            raise PermissionDenied
        self.require("competence.add_feed", self.municipality)
        form = FeedCreateForm(request.POST)
        if form.is_valid():
            try:
                feed_token_create(
                    user=request.user,
                    municipality=self.municipality,
                    scope=form.cleaned_data["scope"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Kalenderadressen er laget. Kopier den inn i kalenderprogrammet ditt."),
                )
                return redirect("competence:feeds")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # visible_to lets a superuser see every token; this page lists one's own only.
        tokens = (
            FeedToken.objects.visible_to(user)
            .filter(user_id=user.pk)
            .select_related("municipality")
            .order_by("revoked_at", "-created_at")
        )
        context["feeds"] = [
            {
                "token": token,
                "url": absolute_url(reverse("competence:ical", args=[token.token]))
                if token.is_active
                else "",
            }
            for token in tokens
        ]
        context["can_add"] = self.municipality is not None and user.has_perm(
            "competence.add_feed", self.municipality
        )
        return context


class FeedRevokeView(MemberRequiredMixin, View):
    http_method_names = ["post"]

    def load_objects(self):
        self.token = get_object_or_404(
            FeedToken.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("competence.revoke_feed", self.token)

    def post(self, request, *args, **kwargs):
        feed_token_revoke(token=self.token, actor=request.user)
        messages.success(request, _("Kalenderadressen er trukket tilbake og virker ikke lenger."))
        return redirect("competence:feeds")


class ICalFeedView(View):
    """The feed a calendar client fetches. The token in the URL is the only credential:
    no login, no session, no cookie. A token answers only while it is not revoked and its
    owner is still an active member of the token's municipality; otherwise 404, the same
    as a token that never existed."""

    http_method_names = ["get", "head"]

    def get(self, request, token: str):
        feed = (
            FeedToken.objects.active()
            .select_related("user", "municipality")
            .filter(token=token)
            .first()
        )
        if feed is None or not self._owner_may_read(feed):
            raise Http404
        feed_token_touch(token=feed)
        owner = feed.user
        year = SchoolYear.current().start_year
        if feed.scope == FeedScope.PERSONAL:
            entries = personal_calendar(
                owner, school_year=year, years=2, municipality=feed.municipality
            )
            name = _("Min kalender – Kvalitetsportalen")
        else:
            entries = municipality_calendar(
                owner, school_year=year, years=2, municipality=feed.municipality
            )
            name = _("Årshjul – %(municipality)s") % {"municipality": feed.municipality.name}
        response = HttpResponse(
            calendar_ical(entries, name=name), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="kvalitetsportalen.ics"'
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        # Links in the feed must not carry the secret URL along as a referrer.
        response["Referrer-Policy"] = "no-referrer"
        return response

    @staticmethod
    def _owner_may_read(feed: FeedToken) -> bool:
        owner = feed.user
        if not owner.is_active:
            return False
        return access_for(owner).municipality_id == feed.municipality_id
