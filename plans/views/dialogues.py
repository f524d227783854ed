"""Leader dialogues in the browser: the list (with the units still without a
«virksomhetssamtale» this year), create, the record with its frozen agenda, notes and
agreed points, a print-friendly view, and marking a point done (htmx inside the table,
a page of its own without JavaScript).

Every page starts from ``Dialogue.objects.visible_to`` or ``AgreedPoint.objects.
visible_to``: a dialogue outside the user's scope is a 404, a role that holds no dialogue
a 403 (``plans.access_dialogues``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from plans.forms_dialogues import (
    AgreedPointForm,
    AgreedPointStatusForm,
    DialogueCreateForm,
    DialogueFilterForm,
    DialogueForm,
)
from plans.models import AgreedPoint, Dialogue, DialogueStatus
from plans.schoolyear import SchoolYear
from plans.selectors.dialogues import (
    dialogue_years,
    dialogues_for_list,
    units_without_unit_dialogue,
)
from plans.services import dialogues as services
from plans.services.history import EditConflict
from plans.views.gate import MemberRequiredMixin, add_service_errors, error_text


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class _DialogueMixin(MemberRequiredMixin):
    permission_required = "plans.access_dialogues"
    # The rule the page's action needs on the dialogue (None: reading it is enough).
    action_permission: str | None = None

    def load_objects(self) -> None:
        if "pk" not in self.kwargs:
            return
        self.dialogue = get_object_or_404(
            Dialogue.objects.visible_to(self.request.user).select_related(
                "unit", "leader", "municipality"
            ),
            pk=self.kwargs["pk"],
        )
        if self.action_permission:
            self.require(self.action_permission, self.dialogue)


def detail_context(request, dialogue: Dialogue) -> dict:
    """What the record and its print view show, in a fixed number of queries."""
    user = request.user
    points = list(dialogue.points.select_related("owner").order_by("due_on", "pk"))
    can_change = user.has_perm("plans.change_dialogue", dialogue)
    for point in points:
        point.dialogue = dialogue  # the rule below reads it; no query per point
        point.can_mark = user.has_perm("plans.change_agreedpoint", point)
    return {
        "dialogue": dialogue,
        "counterparts": list(dialogue.counterparts.order_by("last_name", "first_name")),
        "agenda": dialogue.agenda or {},
        "points": points,
        "can_change": can_change,
        "point_form": AgreedPointForm(dialogue=dialogue) if can_change else None,
        "changes": list(dialogue.changes.select_related("actor")[:10]),
    }


class DialogueListView(_DialogueMixin, ListView):
    template_name = "plans/dialogues/list.html"
    context_object_name = "dialogues"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        dialogues = dialogues_for_list(user)
        self.filter_form = DialogueFilterForm(
            self.request.GET or None, user=user, years=dialogue_years(user)
        )
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["year"]:
                dialogues = dialogues.filter(school_year=data["year"])
            if data["unit"]:
                dialogues = dialogues.filter(unit=data["unit"])
            if data["status"]:
                dialogues = dialogues.filter(status=data["status"])
        return dialogues.order_by("-school_year", "unit__name", "-held_on", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = SchoolYear.current()
        context["filter_form"] = self.filter_form
        context["current_year"] = year
        if user.has_perm("plans.add_unit_dialogue"):
            context["units_without"] = units_without_unit_dialogue(user, year.start_year)
        context["can_add"] = user.has_perm("plans.add_dialogue")
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class DialogueCreateView(_DialogueMixin, View):
    def check_access(self):
        self.require("plans.add_dialogue")
        return None

    def _render(self, request, form, status=200):
        return render(request, "plans/dialogues/create.html", {"form": form}, status=status)

    def get(self, request):
        initial = {}
        unit = request.GET.get("unit", "")
        if unit.isdigit():
            initial["unit"] = unit
        return self._render(request, DialogueCreateForm(user=request.user, initial=initial))

    def post(self, request):
        form = DialogueCreateForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(request, form)
        data = form.cleaned_data
        try:
            dialogue = services.dialogue_create(
                actor=request.user,
                unit=data["unit"],
                kind=data["kind"],
                school_year=data["school_year"],
                held_on=data["held_on"],
                counterparts=data["counterparts"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(request, form)
        messages.success(request, _("Samtalen er opprettet med dagsorden."))
        return redirect("plans:dialogue-detail", pk=dialogue.pk)


class DialogueDetailView(_DialogueMixin, View):
    def get(self, request, pk: int):
        return render(
            request, "plans/dialogues/detail.html", detail_context(request, self.dialogue)
        )


class DialoguePrintView(_DialogueMixin, View):
    def get(self, request, pk: int):
        return render(request, "plans/dialogues/print.html", detail_context(request, self.dialogue))


class DialogueEditView(_DialogueMixin, View):
    action_permission = "plans.change_dialogue"

    def _render(self, request, form, conflict=None):
        context = {"dialogue": self.dialogue, "form": form, "conflict": conflict}
        return render(
            request, "plans/dialogues/edit.html", context, status=409 if conflict else 200
        )

    def get(self, request, pk: int):
        return self._render(request, DialogueForm(instance=self.dialogue))

    def post(self, request, pk: int):
        form = DialogueForm(request.POST, instance=self.dialogue)
        if not form.is_valid():
            return self._render(request, form)
        try:
            services.dialogue_update(
                actor=request.user,
                dialogue=self.dialogue,
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
                expected_version=form.cleaned_data.get("version"),
            )
        except EditConflict as conflict:
            # Keep what was typed; the retry carries the saved version, so saving again
            # is a deliberate overwrite of the notes shown beside it.
            saved = {"notes": conflict.current.notes, "held_on": conflict.current.held_on}
            data = request.POST.copy()
            data["version"] = str(conflict.current.version)
            # Validating fills the instance with the typed values: it is read first.
            retry = DialogueForm(data, instance=conflict.current)
            retry.is_valid()
            return self._render(request, retry, conflict=saved)
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(request, form)
        messages.success(request, _("Samtalen er lagret."))
        return redirect("plans:dialogue-detail", pk=self.dialogue.pk)


class DialogueAgendaView(_DialogueMixin, View):
    """Generate the agenda again (POST only), until the dialogue is held."""

    http_method_names = ["post"]
    action_permission = "plans.change_dialogue"

    def post(self, request, pk: int):
        try:
            services.dialogue_agenda_update(actor=request.user, dialogue=self.dialogue)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Dagsordenen er laget på nytt fra dagens tall."))
        return redirect("plans:dialogue-detail", pk=self.dialogue.pk)


class DialogueStatusView(_DialogueMixin, View):
    """Mark the dialogue held or closed (POST only)."""

    http_method_names = ["post"]
    action_permission = "plans.change_dialogue"

    def post(self, request, pk: int):
        wanted = request.POST.get("status")
        try:
            if wanted == DialogueStatus.HELD:
                services.dialogue_complete(actor=request.user, dialogue=self.dialogue)
            elif wanted == DialogueStatus.CLOSED:
                services.dialogue_close(actor=request.user, dialogue=self.dialogue)
            else:
                raise ValidationError(_("Ukjent status."))
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Samtalen er oppdatert."))
        return redirect("plans:dialogue-detail", pk=self.dialogue.pk)


class DialoguePointAddView(_DialogueMixin, View):
    action_permission = "plans.change_dialogue"

    def _render(self, request, form):
        return render(
            request, "plans/dialogues/point_add.html", {"dialogue": self.dialogue, "form": form}
        )

    def get(self, request, pk: int):
        return self._render(request, AgreedPointForm(dialogue=self.dialogue))

    def post(self, request, pk: int):
        form = AgreedPointForm(request.POST, dialogue=self.dialogue)
        if not form.is_valid():
            return self._render(request, form)
        data = form.cleaned_data
        try:
            services.agreed_point_add(
                actor=request.user,
                dialogue=self.dialogue,
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(request, form)
        messages.success(request, _("Punktet er lagt til."))
        return redirect(reverse("plans:dialogue-detail", args=[self.dialogue.pk]) + "#points")


class AgreedPointUpdateView(MemberRequiredMixin, View):
    """The owner marks a point done or dropped with a note. With htmx the form opens in
    the point's row and the saved row replaces it; without, a page of its own."""

    permission_required = "plans.access_dialogues"

    def load_objects(self) -> None:
        self.point = get_object_or_404(
            AgreedPoint.objects.visible_to(self.request.user).select_related(
                "dialogue", "dialogue__unit", "owner"
            ),
            pk=self.kwargs["pk"],
        )
        self.require("plans.change_agreedpoint", self.point)

    def _render(self, request, form):
        context = {"point": self.point, "form": form, "inline": is_htmx(request)}
        template = (
            "plans/dialogues/_point_form.html"
            if is_htmx(request)
            else "plans/dialogues/point_update.html"
        )
        return render(request, template, context)

    def _back(self, request) -> str:
        """Back to the dialogue for those who read it; otherwise to the home page, where
        the owner's points are."""
        if request.user.has_perm("plans.view_dialogue", self.point.dialogue):
            return reverse("plans:dialogue-detail", args=[self.point.dialogue_id]) + "#points"
        return reverse("home")

    def get(self, request, pk: int):
        return self._render(request, AgreedPointStatusForm())

    def post(self, request, pk: int):
        form = AgreedPointStatusForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        try:
            point = services.agreed_point_update(
                actor=request.user,
                point=self.point,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(request, form)
        if is_htmx(request):
            point.can_mark = False
            return render(
                request, "plans/dialogues/_point_row.html", {"point": point, "with_actions": True}
            )
        messages.success(request, _("Punktet er oppdatert."))
        return redirect(self._back(request))
