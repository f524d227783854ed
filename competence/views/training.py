"""Mandatory training (the BTI model): the follow-up page per unit, its CSV, and the
sector leader's requirement form with its history.

Names are shown only to those the rules allow: the sector leader and the BTI coordinator
for every unit, a unit leader for the units they lead. Nobody else gets the page (403),
and no child appears anywhere: this is about staff."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from competence.exports import CONTENT_TYPES, to_csv
from competence.forms_training import TrainingRequirementForm
from competence.models import TrainingRequirement
from competence.selectors.training import counting_activities, training_status
from competence.services.training import training_requirement_save
from plans.models import Unit
from plans.views.gate import MemberRequiredMixin, add_service_errors, own_municipality


class TrainingStatusMixin(MemberRequiredMixin):
    """The requirement, the units the reader may see and the filter, from the query."""

    def load_objects(self):
        user = self.request.user
        self.municipality = own_municipality(user)
        self.require("competence.view_training_status", self.municipality)
        self.everywhere = user.has_perm("competence.view_all_training_status", self.municipality)
        units = Unit.objects.visible_to(user).active().order_by("name")
        if not self.everywhere:
            units = units.led_by(user)
        self.units = list(units)
        if not self.units and not self.everywhere:
            raise PermissionDenied
        self.requirements = list(TrainingRequirement.objects.visible_to(user))
        query = self.request.GET
        try:
            wanted = int(query["krav"]) if query.get("krav") else None
            unit_id = int(query["enhet"]) if query.get("enhet") else None
        except ValueError as error:
            raise Http404 from error
        self.requirement = next(
            (
                requirement
                for requirement in self.requirements
                if wanted is None or requirement.pk == wanted
            ),
            None,
        )
        if wanted is not None and self.requirement is None:
            raise Http404
        self.unit = None
        if unit_id is not None:
            self.unit = next((unit for unit in self.units if unit.pk == unit_id), None)
            if self.unit is None:
                raise Http404
        self.only_missing = query.get("mangler") == "1"

    def statuses(self):
        if self.requirement is None:
            return []
        found = training_status(
            requirement=self.requirement,
            units=[self.unit] if self.unit else self.units,
            whole_municipality=self.everywhere and self.unit is None,
        )
        if self.only_missing:
            for status in found:
                status.people = [person for person in status.people if not person.done]
        return found


class TrainingStatusView(TrainingStatusMixin, TemplateView):
    template_name = "competence/training/status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statuses = self.statuses()
        requirement = self.requirement
        context.update(
            requirement=requirement,
            requirements=self.requirements,
            units=self.units,
            unit=self.unit,
            only_missing=self.only_missing,
            statuses=statuses,
            new_missing=[
                (status.unit, person) for status in statuses for person in status.new_missing
            ],
            total_people=sum(len(status.people) for status in statuses),
            total_done=sum(status.done_count for status in statuses),
            counting=(
                list(
                    counting_activities(requirement)
                    .distinct()
                    .order_by("-school_year", "title")[:10]
                )
                if requirement
                else []
            ),
            can_manage=self.request.user.has_perm(
                "competence.manage_training_requirements", self.municipality
            ),
            query=self.request.GET.urlencode(),
        )
        return context


class TrainingStatusExportView(TrainingStatusMixin, View):
    """The page's rows as CSV (semicolons, UTF-8 with BOM, formula cells escaped)."""

    def get(self, request, *args, **kwargs):
        if self.requirement is None:
            raise Http404
        headers = [
            _("Enhet"),
            _("Navn"),
            _("Roller"),
            _("Nytilsatt"),
            _("Gjennomført"),
            _("Gyldig til"),
        ]
        rows = [
            [
                status.unit.name if status.unit else _("Hele kommunen"),
                person.user.get_full_name() or person.user.username,
                ", ".join(person.roles),
                _("Ja") if person.is_new else _("Nei"),
                person.completed_on.strftime("%d.%m.%Y") if person.completed_on else _("Mangler"),
                person.expires_on.strftime("%d.%m.%Y") if person.expires_on else "",
            ]
            for status in self.statuses()
            for person in status.people
        ]
        response = HttpResponse(to_csv(headers, rows), content_type=CONTENT_TYPES["csv"])
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="opplaering-{stamp}.csv"'
        return response


class TrainingRequirementFormMixin(MemberRequiredMixin):
    template_name = "competence/training/requirement_form.html"
    instance: TrainingRequirement | None = None

    def get_form(self, data=None):
        return TrainingRequirementForm(
            data,
            instance=self.instance or TrainingRequirement(municipality=self.municipality),
            municipality=self.municipality,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                training_requirement_save(
                    municipality=self.municipality,
                    data=form.data_for_service(),
                    actor=request.user,
                    instance=self.instance,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Opplæringskravet er lagret."))
                return redirect("competence:bti-training")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["instance"] = self.instance
        context["changes"] = (
            list(self.instance.changes.select_related("actor")) if self.instance else []
        )
        return context


class TrainingRequirementCreateView(TrainingRequirementFormMixin, TemplateView):
    def load_objects(self):
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            raise PermissionDenied
        self.require("competence.manage_training_requirements", self.municipality)


class TrainingRequirementUpdateView(TrainingRequirementFormMixin, TemplateView):
    def load_objects(self):
        self.instance = get_object_or_404(
            TrainingRequirement.objects.visible_to(self.request.user).select_related(
                "municipality"
            ),
            pk=self.kwargs["pk"],
        )
        self.require("competence.manage_training_requirements", self.instance)
        self.municipality = self.instance.municipality
