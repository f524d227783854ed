"""The handbook's pages (``/bti/veileder/``): every member of the municipality reads the
steps and downloads the tools; the BTI coordinator writes them. Nothing here is about a
child, so no second factor is asked (as on the statistics); another municipality's step
or tool is a 404, a reader's attempt to write a 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from btitracker import forms
from btitracker.models import HandbookLevel, HandbookTool
from btitracker.selectors import handbook as selectors
from btitracker.services import handbook as services
from btitracker.views.cases import BtiMemberRequiredMixin, NoStoreMixin
from documents.download import attachment_response
from plans.models import UnitKind
from plans.views.gate import add_service_errors, own_municipality


class HandbookMixin(NoStoreMixin, BtiMemberRequiredMixin):
    permission_required = "btitracker.view_handbook"
    # Writing pages set this; the rule is asked of the municipality (and the object).
    write = False

    def load_objects(self) -> None:
        self.municipality = own_municipality(self.request.user)
        if self.municipality is None:
            raise Http404
        # The object first: another municipality's id is a 404 to everyone, a 403 only
        # to a reader of our own municipality.
        self.object = self.load_target()
        if self.write:
            self.require("btitracker.change_handbook", self.object or self.municipality)

    def load_target(self):
        return None

    def can_write(self) -> bool:
        return self.request.user.has_perm("btitracker.change_handbook", self.municipality)


def _choice(value: str | None, allowed) -> str | None:
    return value if value in allowed else None


class HandbookStepListView(HandbookMixin, TemplateView):
    """The handbook: by level, optionally one level (``?niva=0``) and one kind of unit
    (``?tjeneste=skole``, which shows that kind's steps and those for every service)."""

    template_name = "btitracker/handbook/steps.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        level_text = _choice(self.request.GET.get("niva"), {str(v) for v in HandbookLevel.values})
        level = int(level_text) if level_text is not None else None
        unit_kind = _choice(self.request.GET.get("tjeneste"), set(UnitKind.values))
        context.update(
            sections=selectors.handbook_sections(
                user=user, municipality=self.municipality, level=level, unit_kind=unit_kind
            ),
            tools=selectors.handbook_tool_list(user=user, municipality=self.municipality),
            level=level,
            unit_kind=unit_kind,
            unit_kind_label=UnitKind(unit_kind).label if unit_kind else "",
            levels=HandbookLevel.choices,
            unit_kinds=UnitKind.choices,
            can_write=self.can_write(),
            filtered=level is not None or unit_kind is not None,
        )
        return context


class _HandbookFormView(HandbookMixin, View):
    write = True
    template_name = "btitracker/handbook/form.html"
    title = ""
    submit_label = ""
    multipart = False

    def make_form(self, data=None, files=None):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": self.title,
                "submit_label": self.submit_label,
                "multipart": self.multipart,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_form(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.save(form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Lagret."))
                return redirect(self.success_url())
        return self.render_form(form, status=400)

    def success_url(self) -> str:
        return reverse("bti:handbook")


class _StepFormMixin(_HandbookFormView):
    def make_form(self, data=None, files=None):
        tools = selectors.handbook_tools(user=self.request.user, municipality=self.municipality)
        return forms.HandbookStepForm(data, tools=tools, initial=self.initial())

    def initial(self) -> dict:
        return {}

    def values(self, form) -> dict:
        data = form.cleaned_data
        return {
            "level": data["level"],
            "unit_kind": data["unit_kind"],
            "position": data["position"],
            "title": data["title"],
            "text": data["text"],
            "tools": data["tools"],
        }


class HandbookStepCreateView(_StepFormMixin):
    def initial(self) -> dict:
        level = _choice(self.request.GET.get("niva"), {str(v) for v in HandbookLevel.values})
        return {"level": level} if level is not None else {}

    @property
    def title(self):
        return _("Nytt steg i handlingsveilederen")

    @property
    def submit_label(self):
        return _("Lagre steget")

    def save(self, form):
        self.step = services.handbook_step_create(
            actor=self.request.user, municipality=self.municipality, **self.values(form)
        )

    def success_url(self) -> str:
        return f"{reverse('bti:handbook')}#steg-{self.step.pk}"


class HandbookStepUpdateView(_StepFormMixin):
    def load_target(self):
        self.step = get_object_or_404(
            selectors.handbook_steps(user=self.request.user, municipality=self.municipality),
            pk=self.kwargs["pk"],
        )
        return self.step

    def initial(self) -> dict:
        step = self.step
        return {
            "level": step.level,
            "unit_kind": step.unit_kind,
            "position": step.position,
            "title": step.title,
            "text": step.text,
            "tools": list(step.tools.values_list("pk", flat=True)),
        }

    @property
    def title(self):
        return _("Endre steget «%(title)s»") % {"title": self.step.title}

    @property
    def submit_label(self):
        return _("Lagre endringene")

    def save(self, form):
        services.handbook_step_update(actor=self.request.user, step=self.step, **self.values(form))

    def success_url(self) -> str:
        return f"{reverse('bti:handbook')}#steg-{self.step.pk}"


class _DeleteView(HandbookMixin, View):
    """GET asks to confirm, POST deletes."""

    write = True
    template_name = "btitracker/handbook/confirm_delete.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"object": self.object, "what": self.what})

    def post(self, request, *args, **kwargs):
        self.delete()
        messages.success(request, _("Slettet."))
        return redirect("bti:handbook")


class HandbookStepDeleteView(_DeleteView):
    @property
    def what(self):
        return _("steget")

    def load_target(self):
        return get_object_or_404(
            selectors.handbook_steps(user=self.request.user, municipality=self.municipality),
            pk=self.kwargs["pk"],
        )

    def delete(self) -> None:
        services.handbook_step_delete(actor=self.request.user, step=self.object)


class HandbookToolCreateView(_HandbookFormView):
    multipart = True

    @property
    def title(self):
        return _("Last opp et verktøy")

    @property
    def submit_label(self):
        return _("Last opp")

    def make_form(self, data=None, files=None):
        steps = selectors.handbook_steps(user=self.request.user, municipality=self.municipality)
        return forms.HandbookToolForm(data, files, steps=steps)

    def save(self, form):
        data = form.cleaned_data
        services.handbook_tool_create(
            actor=self.request.user,
            municipality=self.municipality,
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
            upload=data["file"],
            steps=data["steps"],
        )

    def success_url(self) -> str:
        return f"{reverse('bti:handbook')}#verktoy"


class HandbookToolDownloadView(HandbookMixin, View):
    """The tool as a download: its stored type, ``attachment``, ``nosniff`` and a name
    made from its title (never the uploaded name)."""

    def get(self, request, *args, **kwargs):
        tool = get_object_or_404(
            HandbookTool.objects.visible_to(request.user).filter(municipality=self.municipality),
            pk=kwargs["pk"],
        )
        return attachment_response(
            tool.data,
            file_name=f"{tool.title}.{tool.extension}",
            content_type=tool.content_type,
        )


class HandbookToolDeleteView(_DeleteView):
    @property
    def what(self):
        return _("verktøyet")

    def load_target(self):
        return get_object_or_404(
            selectors.handbook_tools(user=self.request.user, municipality=self.municipality),
            pk=self.kwargs["pk"],
        )

    def delete(self) -> None:
        services.handbook_tool_delete(actor=self.request.user, tool=self.object)


class HandbookChangeListView(HandbookMixin, TemplateView):
    """What changed in the handbook, newest first (the plans' history template)."""

    template_name = "btitracker/handbook/history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["changes"] = list(
            selectors.handbook_changes(user=self.request.user, municipality=self.municipality)[:200]
        )
        return context
