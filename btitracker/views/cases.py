"""BTI pages. Every page: logged in, a member, TOTP-verified when the user is one who can
read logs, ``Cache-Control: no-store``; every object through ``visible_to``; every read
and every refused attempt on the access log."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from btitracker import audit, forms
from btitracker.crypto import child_lookup_hash, decrypt_bytes
from btitracker.models import (
    AccessEvent,
    Action,
    Concern,
    ConcernCase,
    Consent,
    ConsultationMatter,
    Goal,
    Handover,
    HandoverStatus,
    LogEntry,
    TeamMember,
)
from btitracker.permissions import works_with_children
from btitracker.selectors import overview as selectors
from btitracker.selectors.cases import case_printout_context
from btitracker.selectors.enrolment import (
    enrol_code_minutes,
    enrol_code_waiting,
    enrol_secret_visible,
    enrolment_email_mask,
)
from btitracker.services import cases as services
from btitracker.services import enrolment
from btitracker.services.cases import Act
from btitracker.statistics import statistics_for
from plans.access import access_for
from plans.converters import ID_MAX
from plans.second_factor import has_second_factor
from plans.views.gate import MemberRequiredMixin, add_service_errors


def _ip(request):
    return audit.client_ip(request)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _url_target(request, kwargs) -> tuple[str, int | None]:
    """What a BTI URL names, for the access log: the kind of object (from the URL name)
    and its id."""
    url_name = getattr(request.resolver_match, "url_name", "") or ""
    pk = kwargs.get("pk")
    if url_name.startswith("case-"):
        return "concerncase", pk
    if url_name.startswith("concern-") and pk is not None:
        return "concern", pk
    if url_name.startswith("handover-"):
        return "handover", pk
    return "page", None


class BtiMemberRequiredMixin(MemberRequiredMixin):
    """The portal's gate; on BTI pages an account without a membership is also written to
    the access log (with the log it aimed at) before it is refused."""

    def refuse_non_member(self) -> None:
        object_type, object_id = _url_target(self.request, self.kwargs)
        audit.record_denied(
            request=self.request, action="open", object_type=object_type, object_id=object_id
        )
        super().refuse_non_member()


class NoStoreMixin:
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


class BtiMixin(NoStoreMixin, BtiMemberRequiredMixin):
    """The gate of every BTI page that can show a log."""

    otp_required = True

    def check_access(self):
        """The second factor first, for those who can read logs (TOTP, or the identity
        provider's MFA: plans.second_factor); then the page's rule."""
        user = self.request.user
        if self.otp_required and works_with_children(user) and not has_second_factor(self.request):
            enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = reverse("bti:otp-verify" if enrolled else "bti:otp-enrol")
            next_url = quote(self.request.get_full_path())
            response = HttpResponseRedirect(f"{target}?next={next_url}")
            patch_cache_control(response, no_store=True)
            return response
        return super().check_access()

    # --- objects ---------------------------------------------------------------------

    def _denied(self, object_type: str, object_id, action: str = "open") -> None:
        audit.record_denied(
            request=self.request, action=action, object_type=object_type, object_id=object_id
        )

    def get_case(self, *, write: bool = False, holder: bool = False) -> ConcernCase:
        pk = self.kwargs["pk"]
        case = (
            ConcernCase.objects.visible_to(self.request.user)
            .select_related("child", "holder", "holder_unit")
            .filter(pk=pk)
            .first()
        )
        if case is None:
            self._denied("concerncase", pk)
            raise Http404
        allowed = True
        if holder:
            allowed = ConcernCase.objects.held_by(self.request.user).filter(pk=pk).exists()
        elif write:
            allowed = ConcernCase.objects.writable_by(self.request.user).filter(pk=pk).exists()
        if not allowed:
            self._denied("concerncase", pk, "write")
            raise PermissionDenied
        return case

    def get_concern(self) -> Concern:
        pk = self.kwargs["pk"]
        concern = (
            Concern.objects.visible_to(self.request.user)
            .select_related("unit", "band", "author", "child", "decided_by")
            .filter(pk=pk)
            .first()
        )
        if concern is None:
            self._denied("concern", pk)
            raise Http404
        return concern


class BtiFormView(BtiMixin, View):
    """A form on a log or a concern: GET shows it, POST calls ``save``; a service's
    ValidationError comes back as form errors."""

    template_name = "btitracker/form.html"
    title = ""
    submit_label = ""
    write = True
    holder = False

    def get_target(self):
        return self.get_case(write=self.write, holder=self.holder)

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def success_url(self):
        return reverse("bti:case-detail", args=[self.target.pk])

    def render_form(self, form, status=200, **extra):
        context = {
            "form": form,
            "title": self.title,
            "submit_label": self.submit_label or _("Lagre"),
            "target": self.target,
            "back_url": self.success_url(),
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.target = self.get_target()
        return self.render_form(self.make_form())

    def post(self, request, *args, **kwargs):
        self.target = self.get_target()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = self.save(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Lagret."))
                return redirect(result if isinstance(result, str) else self.success_url())
        return self.render_form(form, status=400)


# --- Overview, search, statistics, guidance ----------------------------------------------------


class BtiHomeView(BtiMixin, TemplateView):
    template_name = "btitracker/home.html"
    permission_required = "btitracker.use_bti"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.overview_for(self.request.user))
        audit.record(
            actor=self.request.user,
            action=Act.LIST,
            object_type="overview",
            ip_address=_ip(self.request),
        )
        return context


class CaseSearchView(BtiMixin, View):
    """Find a log by the child's exact name and birth date (the keyed hash), among the
    logs the user may read: no partial matches, no browsing."""

    permission_required = "btitracker.use_bti"

    def get(self, request):
        return render(request, "btitracker/search.html", {"form": forms.SearchForm()})

    def post(self, request):
        # POST, so the name and birth date never appear in a URL or an access log.
        form = forms.SearchForm(request.POST)
        results = None
        if form.is_valid():
            lookup = child_lookup_hash(
                form.cleaned_data["child_name"], form.cleaned_data["birth_date"]
            )
            results = list(
                ConcernCase.objects.visible_to(request.user)
                .filter(child__lookup_hash=lookup)
                .select_related("holder_unit", "child")
            )
            audit.record(
                actor=request.user,
                action=Act.SEARCH,
                object_type="concerncase",
                ip_address=_ip(request),
            )
        return render(request, "btitracker/search.html", {"form": form, "results": results})


class StatisticsView(NoStoreMixin, BtiMemberRequiredMixin, TemplateView):
    template_name = "btitracker/statistics.html"
    permission_required = "btitracker.view_statistics"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"] = statistics_for(self.request.user)
        return context


class ReportGuidanceView(TemplateView):
    """How to report to child welfare or the police: open to everyone, logged in or not,
    so nothing in the portal stands between a person and a report."""

    template_name = "btitracker/report_guidance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["child_welfare"] = settings.BTI_CHILD_WELFARE_CONTACT
        context["police"] = settings.BTI_POLICE_CONTACT
        return context


# --- Level 0 ---------------------------------------------------------------------------------


class ConcernCreateView(BtiFormView):
    permission_required = "btitracker.add_concern"

    def get_target(self):
        if not self.request.user.has_perm("btitracker.add_concern"):
            raise PermissionDenied
        access = access_for(self.request.user)
        from plans.models import Municipality

        self.bands = services.concern_bands_ensure(
            municipality=Municipality.objects.get(pk=access.municipality_id)
        )
        return None

    def make_form(self, data=None):
        initial = {}
        matter_pk = self.request.GET.get("sak", "")
        if data is None and matter_pk.isdigit() and int(matter_pk) <= ID_MAX:
            # From a consultation meeting's matter: the unit it was discussed for.
            matter = (
                ConsultationMatter.objects.visible_to(self.request.user)
                .select_related("meeting__schedule")
                .filter(pk=int(matter_pk))
                .first()
            )
            if matter is not None:
                initial = {
                    "consultation_matter": matter.pk,
                    "unit": matter.meeting.schedule.unit_id,
                }
        return forms.ConcernForm(data, user=self.request.user, bands=self.bands, initial=initial)

    def render_form(self, form, status=200, **extra):
        return render(
            self.request,
            "btitracker/concern_form.html",
            {
                "form": form,
                "bands": self.bands,
                "from_matter": form["consultation_matter"].value(),
            },
            status=status,
        )

    def save(self, form):
        data = form.cleaned_data
        concern = services.concern_create(
            actor=self.request.user,
            unit=data["unit"],
            observation=data["observation"],
            duration=data["duration"],
            band=data["band"],
            child_name=data["child_name"],
            birth_date=data["birth_date"],
            consultation_matter=data.get("consultation_matter"),
            ip_address=_ip(self.request),
        )
        return reverse("bti:concern-detail", args=[concern.pk])


class ConcernDetailView(BtiMixin, TemplateView):
    template_name = "btitracker/concern_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        concern = self.get_concern()
        audit.record(
            actor=self.request.user,
            action=Act.VIEW,
            obj=concern,
            concern=concern,
            ip_address=_ip(self.request),
        )
        context["concern"] = concern
        context["can_decide"] = self.request.user.has_perm("btitracker.decide_concern", concern)
        context["case"] = (
            ConcernCase.objects.visible_to(self.request.user).filter(source_concern=concern).first()
        )
        return context


class ConcernDecideView(BtiFormView):
    title = ""

    def get_target(self):
        concern = self.get_concern()
        if not self.request.user.has_perm("btitracker.decide_concern", concern):
            self._denied("concern", concern.pk, "decide")
            raise PermissionDenied
        return concern

    def success_url(self):
        return reverse("bti:concern-detail", args=[self.target.pk])

    def make_form(self, data=None):
        return forms.DecisionForm(data, concern=self.target)

    def render_form(self, form, status=200, **extra):
        return render(
            self.request,
            "btitracker/concern_decide.html",
            {"form": form, "concern": self.target},
            status=status,
        )

    def save(self, form):
        data = form.cleaned_data
        case = services.concern_decide(
            actor=self.request.user,
            concern=self.target,
            decision=data["decision"],
            note=data["note"],
            child_name=data.get("child_name", ""),
            birth_date=data.get("birth_date"),
            expecting_parent=data.get("expecting_parent", ""),
            expected_on=data.get("expected_on"),
            holder=data.get("holder"),
            views=form.own_views(),
            ip_address=_ip(self.request),
        )
        if data["decision"] in ("barnevern", "politi"):
            return reverse("bti:report-guidance")
        if (
            case is not None
            and ConcernCase.objects.visible_to(self.request.user).filter(pk=case.pk).exists()
        ):
            return reverse("bti:case-detail", args=[case.pk])
        return self.success_url()


# --- The log ----------------------------------------------------------------------------------


class CaseDetailView(BtiMixin, TemplateView):
    template_name = "btitracker/case_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        case = self.get_case()
        audit.record(actor=user, action=Act.VIEW, obj=case, case=case, ip_address=_ip(self.request))
        context.update(case_printout_context(case=case))
        context["can_write"] = user.has_perm("btitracker.change_concerncase", case)
        context["is_holder"] = ConcernCase.objects.held_by(user).filter(pk=case.pk).exists()
        context["leads"] = user.has_perm("btitracker.view_access_history", case)
        context["pending_handover"] = case.handovers.filter(status=HandoverStatus.PENDING).first()
        context["consent_valid"] = any(
            c.is_valid_on(timezone.localdate()) for c in context["consents"]
        )
        return context


class CaseLevelView(BtiFormView):
    holder = True
    title = ""

    def make_form(self, data=None):
        return forms.LevelForm(data, initial={"level": self.target.level})

    def save(self, form):
        services.case_level_change(
            actor=self.request.user,
            case=self.target,
            level=form.cleaned_data["level"],
            views=form.own_views(),
            ip_address=_ip(self.request),
        )


class ChildBirthRecordView(BtiFormView):
    """The expected child of a log started before birth is born: the holder records its
    name and birth date."""

    holder = True

    def get_target(self):
        case = super().get_target()
        if not case.child.is_unborn:
            raise Http404
        return case

    def make_form(self, data=None):
        return forms.BirthForm(data)

    def render_form(self, form, status=200, **extra):
        return super().render_form(
            form, status, title=_("Registrer fødselen"), submit_label=_("Registrer fødselen")
        )

    def save(self, form):
        services.child_birth_record(
            actor=self.request.user,
            case=self.target,
            name=form.cleaned_data["name"],
            birth_date=form.cleaned_data["birth_date"],
            ip_address=_ip(self.request),
        )


class GuardianAddView(BtiFormView):
    holder = True

    def make_form(self, data=None):
        return forms.GuardianForm(data)

    def save(self, form):
        services.guardian_add(
            actor=self.request.user,
            case=self.target,
            ip_address=_ip(self.request),
            **form.cleaned_data,
        )


class TeamMemberAddView(BtiFormView):
    holder = True

    def make_form(self, data=None):
        return forms.TeamMemberForm(data, case=self.target)

    def save(self, form):
        services.team_member_add(
            actor=self.request.user,
            case=self.target,
            ip_address=_ip(self.request),
            **form.cleaned_data,
        )


class TeamMemberRemoveView(BtiMixin, View):
    def post(self, request, pk, member_pk):
        case = self.get_case(holder=True)
        member = get_object_or_404(TeamMember, pk=member_pk, case=case, active=True)
        services.team_member_remove(actor=request.user, member=member, ip_address=_ip(request))
        messages.success(request, _("Personen er tatt ut av teamet."))
        return redirect("bti:case-detail", case.pk)


class ConsentAddView(BtiFormView):
    holder = True

    def make_form(self, data=None):
        initial = {"services": [self.target.holder_unit_id]}
        return forms.ConsentForm(
            data,
            municipality_id=self.target.municipality_id,
            unborn=self.target.child.is_unborn,
            initial=initial,
        )

    def save(self, form):
        services.consent_record(
            actor=self.request.user,
            case=self.target,
            ip_address=_ip(self.request),
            **form.cleaned_data,
        )


class ConsentWithdrawView(BtiMixin, View):
    def post(self, request, pk, consent_pk):
        case = self.get_case(holder=True)
        consent = get_object_or_404(
            Consent, pk=consent_pk, case=case, withdrawn_at__isnull=True, superseded_at__isnull=True
        )
        services.consent_withdraw(actor=request.user, consent=consent, ip_address=_ip(request))
        messages.success(request, _("Samtykket er registrert som trukket."))
        return redirect("bti:case-detail", case.pk)


class ViolenceFlagView(BtiFormView):
    holder = True

    def make_form(self, data=None):
        return forms.ViolenceForm(data)

    def render_form(self, form, status=200, **extra):
        return super().render_form(form, status, guidance=True)

    def save(self, form):
        services.violence_flag_set(
            actor=self.request.user,
            case=self.target,
            justification=form.cleaned_data["justification"],
            ip_address=_ip(self.request),
        )


class GoalAddView(BtiFormView):
    text_model: type = Goal

    def make_form(self, data=None):
        return forms.TextForm(data, model=self.text_model)

    def save(self, form):
        services.goal_add(
            actor=self.request.user,
            case=self.target,
            text=form.cleaned_data["text"],
            ip_address=_ip(self.request),
        )


class EntryAddView(GoalAddView):
    text_model = LogEntry

    def save(self, form):
        services.entry_add(
            actor=self.request.user,
            case=self.target,
            text=form.cleaned_data["text"],
            ip_address=_ip(self.request),
        )


class ActionAddView(BtiFormView):
    def make_form(self, data=None):
        return forms.ActionForm(data, case=self.target)

    def save(self, form):
        services.action_add(
            actor=self.request.user,
            case=self.target,
            data=services.ActionInput(**form.cleaned_data),
            ip_address=_ip(self.request),
        )


class ActionEvaluateView(BtiFormView):
    def get_target(self):
        case = self.get_case(write=True)
        self.action = get_object_or_404(Action, pk=self.kwargs["action_pk"], case=case)
        return case

    def make_form(self, data=None):
        return forms.EvaluationForm(data, initial={"status": self.action.status})

    def save(self, form):
        data = form.cleaned_data
        services.action_evaluate(
            actor=self.request.user,
            action=self.action,
            evaluated_on=data["evaluated_on"],
            text=data["text"],
            status=data["status"],
            effect=data["effect"],
            views=form.own_views(),
            ip_address=_ip(self.request),
        )


class MeetingAddView(BtiFormView):
    def make_form(self, data=None):
        return forms.MeetingForm(data, case=self.target)

    def _formset(self, data=None):
        return forms.MeetingActionFormSet(data, prefix="tiltak", form_kwargs={"case": self.target})

    def render_form(self, form, status=200, formset=None, **extra):
        return render(
            self.request,
            "btitracker/meeting_form.html",
            {"form": form, "formset": formset or self._formset(), "case": self.target},
            status=status,
        )

    def post(self, request, *args, **kwargs):
        self.target = self.get_target()
        form = self.make_form(request.POST)
        formset = self._formset(request.POST)
        if form.is_valid() and formset.is_valid():
            actions = [
                services.ActionInput(
                    description=row.get("description") or "",
                    responsible=row.get("responsible"),
                    start_date=row.get("start_date"),
                    evaluation_date=row.get("evaluation_date"),
                )
                for row in formset.cleaned_data
            ]
            try:
                services.meeting_record(
                    actor=request.user,
                    case=self.target,
                    held_on=form.cleaned_data["held_on"],
                    summary=form.cleaned_data["summary"],
                    actions=actions,
                    participants=form.cleaned_data["participants"],
                    others_present=form.cleaned_data["others_present"],
                    ip_address=_ip(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Møtet og tiltakene er lagret."))
                return redirect("bti:case-detail", self.target.pk)
        return self.render_form(form, status=400, formset=formset)


class HandoverProposeView(BtiFormView):
    holder = True

    def make_form(self, data=None):
        return forms.HandoverForm(data, case=self.target)

    def save(self, form):
        services.handover_propose(
            actor=self.request.user,
            case=self.target,
            ip_address=_ip(self.request),
            **form.cleaned_data,
        )


class HandoverAcceptView(BtiFormView):
    """The proposed holder's answer. They see the handover (units, dates), not the log,
    until they accept with a new consent."""

    def get_target(self):
        pk = self.kwargs["pk"]
        handover = (
            Handover.objects.awaiting(self.request.user)
            .filter(pk=pk)
            .select_related("case", "from_unit", "to_unit", "from_holder")
            .first()
        )
        if handover is None:
            self._denied("handover", pk)
            raise Http404
        return handover

    def make_form(self, data=None):
        return forms.ConsentForm(
            data,
            municipality_id=self.target.case.municipality_id,
            unborn=self.target.case.child.is_unborn,
            initial={"services": [self.target.to_unit_id]},
        )

    def render_form(self, form, status=200, **extra):
        return render(
            self.request,
            "btitracker/handover_accept.html",
            {"form": form, "handover": self.target},
            status=status,
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("answer") == "decline":
            handover = self.get_target()
            services.handover_decline(
                actor=request.user, handover=handover, ip_address=_ip(request)
            )
            messages.info(request, _("Stafettvekslingen er avslått."))
            return redirect("bti:home")
        return super().post(request, *args, **kwargs)

    def save(self, form):
        data = form.cleaned_data
        case = services.handover_accept(
            actor=self.request.user,
            handover=self.target,
            consent_kind=data["kind"],
            given_by=data["given_by"],
            given_on=data["given_on"],
            expires_on=data["expires_on"],
            services=data["services"],
            ip_address=_ip(self.request),
        )
        return reverse("bti:case-detail", args=[case.pk])


class CaseCloseView(BtiFormView):
    """Closing is a decision: the child's and the family's view of it is asked first."""

    holder = True

    def make_form(self, data=None):
        return forms.CloseForm(data)

    def render_form(self, form, status=200, **extra):
        return super().render_form(
            form,
            status,
            title=_("Avslutt stafettloggen"),
            submit_label=_("Avslutt stafettloggen og lag arkivutskrift"),
        )

    def post(self, request, *args, **kwargs):
        from documents.pdf import PdfRenderError

        self.target = self.get_target()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                services.case_close(
                    actor=request.user,
                    case=self.target,
                    views=form.own_views(),
                    ip_address=_ip(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PdfRenderError as error:
                # Nothing was written: the log stays open until the printout can be made.
                messages.error(
                    request,
                    _("Stafettloggen er ikke avsluttet: arkivutskriften kunne ikke lages. %(why)s")
                    % {"why": error},
                )
                return redirect("bti:case-detail", self.target.pk)
            else:
                messages.success(
                    request, _("Stafettloggen er avsluttet, og arkivutskriften er laget.")
                )
                return redirect("bti:case-detail", self.target.pk)
        return self.render_form(form, status=400)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CaseExportView(BtiMixin, View):
    """The log as PDF (for the pupil file): the archive copy of a closed log, or a
    printout of an open one. Holder and the unit leader."""

    def get(self, request, pk):
        case = self.get_case()
        if not request.user.has_perm("btitracker.export_concerncase", case):
            self._denied("concerncase", case.pk, Act.EXPORT)
            raise PermissionDenied
        content = (
            decrypt_bytes(bytes(case.archive))
            if case.archive
            else services.case_printout_render(case=case)
        )
        audit.record(
            actor=request.user, action=Act.EXPORT, obj=case, case=case, ip_address=_ip(request)
        )
        return _pdf_response(content, f"stafettlogg-{case.pk}.pdf")


class AccessHistoryView(BtiMixin, TemplateView):
    template_name = "btitracker/access_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.get_case()
        if not self.request.user.has_perm("btitracker.view_access_history", case):
            self._denied("concerncase", case.pk, Act.HISTORY)
            raise PermissionDenied
        audit.record(
            actor=self.request.user,
            action=Act.HISTORY,
            obj=case,
            case=case,
            ip_address=_ip(self.request),
        )
        context["case"] = case
        context["events"] = AccessEvent.objects.visible_to(self.request.user).filter(
            case_id=case.pk
        )
        return context


class AccessHistoryPdfView(BtiMixin, View):
    def get(self, request, pk):
        case = self.get_case()
        if not request.user.has_perm("btitracker.view_access_history", case):
            self._denied("concerncase", case.pk, Act.EXPORT)
            raise PermissionDenied
        audit.record(
            actor=request.user,
            action=Act.EXPORT,
            object_type="access_history",
            object_id=case.pk,
            case=case,
            ip_address=_ip(request),
        )
        return _pdf_response(services.access_history_render(case=case), f"innsyn-{case.pk}.pdf")


class IdOutOfRangeView(BtiMixin, View):
    """A BTI URL with an id beyond what any row can have (``<id:…>`` refuses it, so none
    of the pages above matched). Still an attempt on a log: written to the access log as
    refused, then 404."""

    def dispatch(self, request, *args, **kwargs):
        self.numbers = [int(n) for n in kwargs.pop("rest", "").split("/") if n.isdigit()]
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if any(number > ID_MAX for number in self.numbers):
            object_type = {
                "logg": "concerncase",
                "undring": "concern",
                "stafett": "handover",
                "steg": "handbookstep",
                "verktoy": "handbooktool",
                "plan": "consultationschedule",
                "mote": "consultationmeeting",
                "tiltak": "consultationaction",
            }
            self._denied(object_type[kwargs["kind"]], self.numbers[0])
        raise Http404

    post = get


# --- Second factor ----------------------------------------------------------------------------


class OtpEnrolView(NoStoreMixin, BtiMemberRequiredMixin, View):
    """Set up TOTP in three steps. 1: a one-time code is e-mailed to the address on the
    account (``btitracker.services.enrolment``); without an address the user cannot go on. 2: the
    right code, in the session that asked for it, shows the QR code (inline SVG drawn on
    the server) and the secret as text, from a device created new at that moment. 3: a
    code from the app confirms the device. Whoever has only the password never sees the
    secret. Every step is on the access log."""

    def _render(self, request, *, form=None, code_form=None, status=200):
        user = request.user
        context = {"next": _safe_next(request, ""), "minutes": enrol_code_minutes()}
        if not user.email:
            context["step"] = "no_email"
        elif code_form is None and enrol_secret_visible(session=request.session, user=user):
            import base64

            import qrcode
            import qrcode.image.svg

            device = enrolment.otp_device_ensure(user=user)
            image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
            context.update(
                step="secret",
                form=form or forms.OtpTokenForm(),
                qr_svg=image.to_string(encoding="unicode"),
                secret=base64.b32encode(device.bin_key).decode().rstrip("="),
            )
        else:
            context.update(
                step="code",
                code_sent=enrol_code_waiting(session=request.session, user=user),
                code_form=code_form or forms.EnrolCodeForm(),
                email_masked=enrolment_email_mask(address=user.email),
            )
        return render(request, "btitracker/otp_enrol.html", context, status=status)

    def _again(self, request):
        target = reverse("bti:otp-enrol")
        following = _safe_next(request, "")
        return redirect(f"{target}?next={quote(following)}" if following else target)

    def get(self, request):
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect(reverse("bti:otp-verify") + "?next=" + quote(_safe_next(request, "")))
        return self._render(request)

    def post(self, request):
        user = request.user
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise PermissionDenied
        if not user.email:
            return self._render(request, status=400)
        step = request.POST.get("step", "token")
        if step == "send":
            return self._send(request)
        if step == "code":
            return self._code(request)
        if not enrol_secret_visible(session=request.session, user=user):
            # No right e-mailed code in this session: no device can be confirmed.
            messages.error(request, _("Skriv inn koden fra e-posten først."))
            return self._again(request)
        device = enrolment.otp_device_ensure(user=user)
        form = forms.OtpTokenForm(request.POST)
        if form.is_valid():
            result = enrolment.otp_device_confirm(
                user=user,
                device=device,
                token=form.cleaned_data["token"],
                session=request.session,
                ip_address=_ip(request),
            )
            if result.status is enrolment.Confirmed.OK:
                request.session.cycle_key()  # a new session id for the stronger login
                otp_login(request, result.device)
                messages.success(request, _("Totrinnsinnlogging er satt opp."))
                return redirect(_safe_next(request, reverse("bti:home")))
            if result.status is enrolment.Confirmed.ALREADY:
                raise PermissionDenied
            if result.status is enrolment.Confirmed.NOT_ALLOWED:
                messages.error(request, _("Skriv inn koden fra e-posten først."))
                return self._again(request)
            # WRONG, or NOT_YOURS when another tab replaced the device: the page shows
            # the device there is now.
            form.add_error("token", _("Koden stemmer ikke. Prøv med koden som vises nå."))
        return self._render(request, form=form, status=400)

    def _send(self, request):
        result = enrolment.code_send(
            user=request.user, session=request.session, ip_address=_ip(request)
        )
        if result.status is enrolment.Sent.OK:
            messages.success(
                request,
                _("Vi har sendt en kode til %(email)s. Den gjelder i %(minutes)s minutter.")
                % {
                    "email": enrolment_email_mask(address=request.user.email),
                    "minutes": enrol_code_minutes(),
                },
            )
        elif result.status is enrolment.Sent.TOO_SOON:
            messages.error(
                request,
                _("Du kan be om en ny kode om %(seconds)s sekunder.")
                % {"seconds": result.wait_seconds},
            )
        elif result.status is enrolment.Sent.TOO_MANY:
            messages.error(
                request,
                _(
                    "Du har bedt om for mange koder det siste døgnet. Prøv igjen i morgen, "
                    "eller kontakt lederen din eller dataansvarlig."
                ),
            )
        else:
            messages.error(
                request, _("Vi fikk ikke sendt e-posten. Prøv igjen om litt, eller si fra.")
            )
        return self._again(request)

    def _code(self, request):
        code_form = forms.EnrolCodeForm(request.POST)
        if code_form.is_valid():
            result = enrolment.code_check(
                user=request.user,
                session=request.session,
                code=code_form.cleaned_data["code"],
                ip_address=_ip(request),
            )
            if result is enrolment.Checked.OK:
                enrolment.otp_device_enrol(user=request.user)
                return self._again(request)
            code_form.add_error("code", str(_CODE_ERRORS[result]))
        return self._render(request, code_form=code_form, status=400)


_CODE_ERRORS = {
    enrolment.Checked.NONE: gettext_lazy("Be om en kode på e-post først."),
    enrolment.Checked.WRONG: gettext_lazy("Koden stemmer ikke. Sjekk e-posten og prøv igjen."),
    enrolment.Checked.LOCKED: gettext_lazy(
        "Koden er sperret etter for mange feil forsøk. Be om en ny kode."
    ),
    enrolment.Checked.EXPIRED: gettext_lazy("Koden er utløpt. Be om en ny kode."),
    enrolment.Checked.USED: gettext_lazy("Koden er allerede brukt. Be om en ny kode."),
}


class OtpVerifyView(NoStoreMixin, BtiMemberRequiredMixin, View):
    def get(self, request):
        if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect(reverse("bti:otp-enrol") + "?next=" + quote(_safe_next(request, "")))
        return render(
            request,
            "btitracker/otp_verify.html",
            {"form": forms.OtpTokenForm(), "next": _safe_next(request, "")},
        )

    def post(self, request):
        form = forms.OtpTokenForm(request.POST)
        if form.is_valid():
            for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
                if device.verify_token(form.cleaned_data["token"]):
                    request.session.cycle_key()  # a new session id for the stronger login
                    otp_login(request, device)
                    return redirect(_safe_next(request, reverse("bti:home")))
            form.add_error("token", _("Koden stemmer ikke. Prøv med koden som vises nå."))
        # Every failed second factor is on the access log (never the code itself).
        audit.record(
            actor=request.user,
            action=Act.OTP_LOGIN_WRONG,
            object_type="totpdevice",
            ip_address=_ip(request),
            outcome=audit.Outcome.DENIED,
        )
        return render(
            request,
            "btitracker/otp_verify.html",
            {"form": form, "next": _safe_next(request, "")},
            status=400,
        )
