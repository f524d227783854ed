"""Four eyes on access: sector leaders confirm or reject grants of roles that open BTI
logs, and follow the record of every membership change in their municipality."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from plans.models import MembershipAction, Role
from plans.selectors import organisation as selectors
from plans.services import organisation
from plans.views.gate import MemberRequiredMixin


class MembershipChangeFilterForm(forms.Form):
    q = forms.CharField(label=_("Navn"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Handling"),
        required=False,
        choices=[("", _("Alle handlinger")), *MembershipAction.choices],
    )
    role = forms.ChoiceField(
        label=_("Rolle"), required=False, choices=[("", _("Alle roller")), *Role.choices]
    )


class ReviewerRequiredMixin(MemberRequiredMixin):
    permission_required = "plans.review_memberships"


class ChangeLogReviewMixin:
    """A change log with a name/action/role filter and the decisions waiting above it: the
    memberships' page here, the identity provider's group mappings' in ``identity``.
    Subclasses give ``changes``, ``pending``, the form and the text fields ``q`` searches."""

    paginate_by = 50
    context_object_name = "changes"
    filter_form_class: type[forms.Form]
    search_fields: tuple[str, ...] = ()

    def changes(self):
        raise NotImplementedError

    def pending(self):
        raise NotImplementedError

    def get_queryset(self):
        self.filter_form = self.filter_form_class(self.request.GET or None)
        changes = self.changes()
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["q"]:
                query = Q()
                for name in self.search_fields:
                    query |= Q(**{f"{name}__icontains": data["q"]})
                changes = changes.filter(query)
            if data["action"]:
                changes = changes.filter(action=data["action"])
            if data["role"]:
                changes = changes.filter(role=data["role"])
        return changes

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = self.pending()
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class MembershipReviewView(ReviewerRequiredMixin, ChangeLogReviewMixin, ListView):
    """Grants awaiting confirmation, then the change log with a filter."""

    template_name = "plans/memberships/review.html"
    filter_form_class = MembershipChangeFilterForm
    search_fields = ("subject_name", "actor_name")

    def changes(self):
        return selectors.membership_changes_for(self.request.user)

    def pending(self):
        return selectors.pending_memberships_for(self.request.user)


class MembershipDecisionView(ReviewerRequiredMixin, View):
    """POST only: confirm or reject one pending grant."""

    http_method_names = ["post"]
    decision = "confirm"

    def post(self, request, pk: int):
        # Another municipality's grant, one's own and one one granted are not offered.
        membership = get_object_or_404(selectors.pending_memberships_for(request.user), pk=pk)
        if not request.user.has_perm("plans.confirm_membership", membership):
            raise PermissionDenied
        name = membership.user.get_full_name() or membership.user.username
        role = membership.get_role_display()
        if self.decision == "confirm":
            organisation.membership_confirm(membership=membership, actor=request.user)
            messages.success(
                request,
                _("Rollen %(role)s for %(name)s er godkjent.") % {"role": role, "name": name},
            )
        else:
            organisation.membership_reject(membership=membership, actor=request.user)
            messages.success(
                request,
                _("Rollen %(role)s for %(name)s er avvist og fjernet.")
                % {"role": role, "name": name},
            )
        return redirect("plans:membership-review")
