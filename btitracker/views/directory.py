"""The directory of services (tjenesteoversikt), «alle vet hvor de kan få hjelp»:
``/tjenester/``.

- ``/tjenester/`` is a member's own municipality's directory, every active entry. Anyone
  else (a visitor without login, an account without a municipality) gets the list of
  municipalities whose directory has public entries, with a way to log in: one
  installation may serve several municipalities, so the address alone cannot say whose
  directory a visitor wants, and guessing would show one municipality's services as if
  they were every municipality's.
- ``/tjenester/kommune/<kommunenummer>/`` (and ``…/<id>/``) is the public directory: the
  municipality's active entries marked public, the same for everyone, so it can be
  linked from the municipality's website and a coordinator sees what the public sees.
- Editing is the municipality's BTI coordinator's.

No page here is about a person, so no second factor is asked, unlike ``/bti/``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from btitracker.forms_directory import DirectorySearchForm, ServiceForm, ServiceNeedForm
from btitracker.models import Service, ServiceNeed
from btitracker.selectors.directory import (
    directory_page,
    municipalities_with_public_entries,
)
from btitracker.services import directory as services
from plans.access import access_for
from plans.models import Municipality
from plans.views.gate import MemberRequiredMixin, add_service_errors, error_text, own_municipality

# --- Reading ------------------------------------------------------------------------------


class DirectoryListMixin:
    """The search form and the page built from one scope of entries."""

    template_name = "btitracker/directory/list.html"
    request: object

    def page_context(self, scope, *, municipality, public: bool) -> dict:
        form = DirectorySearchForm(self.request.GET or None)  # type: ignore[attr-defined]
        query, need_id = form.selection()
        return {
            "form": form,
            "page": directory_page(scope, query=query, need_id=need_id),
            "municipality": municipality,
            "public": public,
        }


class ServiceListView(DirectoryListMixin, MemberRequiredMixin, TemplateView):
    """A member's own municipality's directory."""

    permission_required = "btitracker.view_directory"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        municipality = own_municipality(user)
        context.update(
            self.page_context(
                Service.objects.visible_to(user), municipality=municipality, public=False
            )
        )
        context["can_manage"] = user.has_perm("btitracker.manage_directory")
        return context


class MunicipalityIndexView(TemplateView):
    """The municipalities whose directory has public entries (only ever called by
    ``DirectoryStartView``, for those without a municipality of their own)."""

    template_name = "btitracker/directory/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipalities"] = municipalities_with_public_entries()
        return context


class DirectoryStartView(View):
    """``/tjenester/``: the member's own directory (``ServiceListView``, behind the
    gate) or, for anyone without a municipality, the index of public directories."""

    def dispatch(self, request, *args, **kwargs):
        if access_for(request.user).municipality_id is not None:
            return ServiceListView.as_view()(request, *args, **kwargs)
        return MunicipalityIndexView.as_view()(request, *args, **kwargs)


def _public_municipality(number: str) -> Municipality:
    return get_object_or_404(Municipality, number=number)


class PublicServiceListView(DirectoryListMixin, TemplateView):
    """A municipality's public directory, for anyone: its public active entries only."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = _public_municipality(self.kwargs["number"])
        context.update(
            self.page_context(
                Service.objects.published(municipality.pk),
                municipality=municipality,
                public=True,
            )
        )
        return context


class ServiceDetailView(MemberRequiredMixin, TemplateView):
    template_name = "btitracker/directory/detail.html"

    def load_objects(self):
        self.service = get_object_or_404(
            Service.objects.visible_to(self.request.user).select_related("unit", "updated_by"),
            pk=self.kwargs["pk"],
        )
        self.require("btitracker.view_service", self.service)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            service=self.service,
            municipality=self.service.municipality,
            public=False,
            can_edit=user.has_perm("btitracker.change_service", self.service),
        )
        return context


class PublicServiceDetailView(TemplateView):
    template_name = "btitracker/directory/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = _public_municipality(self.kwargs["number"])
        service = get_object_or_404(
            Service.objects.published(municipality.pk).select_related("unit"),
            pk=self.kwargs["pk"],
        )
        context.update(service=service, municipality=municipality, public=True)
        return context


# --- Editing (the BTI coordinator) ---------------------------------------------------------


class DirectoryManageMixin(MemberRequiredMixin):
    permission_required = "btitracker.manage_directory"

    def municipality(self) -> Municipality:
        found = own_municipality(self.request.user)
        if found is None:  # a superuser without membership keeps no directory
            raise Http404
        return found


class ServiceFormView(DirectoryManageMixin, TemplateView):
    template_name = "btitracker/directory/service_form.html"
    instance: Service | None = None

    def make_form(self, data=None) -> ServiceForm:
        return ServiceForm(data, user=self.request.user, instance=self.instance)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if self.instance is not None and self.instance.unit_id is not None:
                data.pop("name")
            try:
                service = self.save(data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Tjenesten «%(name)s» er lagret.") % {"name": service})
                return redirect("directory:service-detail", pk=service.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        return context


class ServiceCreateView(ServiceFormView):
    def save(self, data) -> Service:
        return services.service_create(
            actor=self.request.user, municipality=self.municipality(), data=data
        )


class ServiceUpdateView(ServiceFormView):
    def load_objects(self):
        self.instance = get_object_or_404(
            Service.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("btitracker.change_service", self.instance)

    def save(self, data) -> Service:
        assert self.instance is not None
        return services.service_update(actor=self.request.user, service=self.instance, data=data)


class ServiceStatusView(DirectoryManageMixin, View):
    """Take an entry out of the directory, or put it back (POST only)."""

    http_method_names = ["post"]

    def load_objects(self):
        self.service = get_object_or_404(
            Service.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("btitracker.change_service", self.service)

    def post(self, request, *args, **kwargs):
        active = request.POST.get("active") == "1"
        try:
            services.service_status_set(actor=request.user, service=self.service, active=active)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if active:
                messages.success(request, _("Tjenesten vises igjen i oversikten."))
            else:
                messages.success(request, _("Tjenesten er tatt ut av oversikten."))
        return redirect("directory:service-detail", pk=self.service.pk)


class ServiceUnitsSyncView(DirectoryManageMixin, View):
    """One entry per unit of the municipality (POST only, from the directory page)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        result = services.service_units_sync(actor=request.user, municipality=self.municipality())
        if result.created:
            messages.success(
                request,
                _(
                    "Nye oppføringer for %(units)s. De er ikke aktive før du har fylt ut "
                    "hva de hjelper med, for hvem og hvordan man tar kontakt."
                )
                % {"units": ", ".join(result.created)},
            )
        if result.renamed:
            renamed = ", ".join(result.renamed)
            messages.info(request, _("Nytt navn fra enheten: %(units)s.") % {"units": renamed})
        if result.deactivated:
            messages.info(
                request,
                _("Tatt ut av oversikten fordi enheten ikke er aktiv: %(units)s.")
                % {"units": ", ".join(result.deactivated)},
            )
        if result.clashes:
            messages.warning(
                request,
                _(
                    "En annen tjeneste har samme navn som %(units)s. Gi den andre tjenesten "
                    "et annet navn og prøv igjen."
                )
                % {"units": ", ".join(result.clashes)},
            )
        if not (result.created or result.renamed or result.deactivated or result.clashes):
            messages.info(request, _("Oversikten er allerede i takt med enhetene."))
        return HttpResponseRedirect(reverse("directory:list"))


class ServiceNeedListView(DirectoryManageMixin, TemplateView):
    """The needs people search by, and a form for a new one."""

    template_name = "btitracker/directory/needs.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ServiceNeedForm()))

    def post(self, request, *args, **kwargs):
        form = ServiceNeedForm(request.POST)
        if form.is_valid():
            try:
                need = services.service_need_create(
                    actor=request.user,
                    municipality=self.municipality(),
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Behovet «%(name)s» er lagt til.") % {"name": need})
                return redirect("directory:need-list")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        from django.db.models import Count

        context = super().get_context_data(**kwargs)
        context["needs"] = (
            ServiceNeed.objects.editable_by(self.request.user)
            .annotate(count=Count("services"))
            .order_by("name")
        )
        return context


class ServiceNeedMixin(DirectoryManageMixin):
    def load_objects(self):
        self.need = get_object_or_404(
            ServiceNeed.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        self.require("btitracker.change_serviceneed", self.need)


class ServiceNeedUpdateView(ServiceNeedMixin, TemplateView):
    template_name = "btitracker/directory/need_form.html"

    def get(self, request, *args, **kwargs):
        form = ServiceNeedForm(initial={"name": self.need.name})
        return self.render_to_response(self.get_context_data(form=form, need=self.need))

    def post(self, request, *args, **kwargs):
        form = ServiceNeedForm(request.POST)
        if form.is_valid():
            try:
                services.service_need_update(
                    actor=request.user, need=self.need, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Behovet er endret."))
                return redirect("directory:need-list")
        return self.render_to_response(self.get_context_data(form=form, need=self.need), status=400)


class ServiceNeedDeleteView(ServiceNeedMixin, TemplateView):
    template_name = "btitracker/directory/need_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["need"] = self.need
        context["services"] = Service.objects.visible_to(self.request.user).filter(needs=self.need)
        return context

    def post(self, request, *args, **kwargs):
        services.service_need_delete(actor=request.user, need=self.need)
        messages.success(request, _("Behovet «%(name)s» er slettet.") % {"name": self.need})
        return redirect("directory:need-list")
