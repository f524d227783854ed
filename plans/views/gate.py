"""The one gate in front of every portal page, and the small helpers views share.

Every view of every app derives from ``MemberRequiredMixin``; the few public pages (login,
password reset, health, the guidance on reporting to child welfare) are the allow-list of
``tests/test_view_gate.py``, which fails when a view in the URLconf is neither.

The gate answers, in this order, before the view's method is dispatched:

1. an anonymous visitor: the login page;
2. an account that is a member of no municipality (superusers excepted, the rule is
   ``plans.permissions.is_portal_member``): 403, through ``refuse_non_member`` (BTI also
   writes the attempt to its access log);
3. ``check_access``: the page-wide rule ``permission_required`` (403), or a response of
   the view's own instead of the page (BTI's second factor);
4. ``load_objects``: the page's objects through ``visible_to`` (404 outside the user's
   scope) and the rule for the action (``require``, 403).

So a GET on a POST-only action answers 405 only to those who may do it, and views ask
``has_perm`` and querysets, never roles: who holds which role is read in ``plans.access``
and turned into rules in each app's ``permissions.py``.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse

from plans.access import access_for
from plans.models import Municipality
from plans.permissions import is_portal_member


class MemberRequiredMixin(LoginRequiredMixin):
    """Logged in and a member of a municipality, then the page's own rule and objects.

    An account with no membership sees a page explaining that (403), rather than an
    empty portal."""

    # A rule every user of the page must pass, asked without an object.
    permission_required: str | None = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not is_portal_member(user):
            self.refuse_non_member()
        response = self.check_access()
        if response is not None:
            return response
        self.load_objects()
        return super().dispatch(request, *args, **kwargs)

    def refuse_non_member(self) -> None:
        raise PermissionDenied

    def check_access(self) -> HttpResponse | None:
        """The page-wide rule; a subclass may answer with a response of its own."""
        if self.permission_required:
            self.require(self.permission_required)
        return None

    def load_objects(self) -> None:
        """Find the page's objects in the user's scope and check the action's rule."""

    def require(self, permission: str, obj=None) -> None:
        if not self.request.user.has_perm(permission, obj):
            raise PermissionDenied


def own_municipality(user) -> Municipality | None:
    """The user's municipality (None for a superuser without membership)."""
    municipality_id = access_for(user).municipality_id
    return Municipality.objects.filter(pk=municipality_id).first() if municipality_id else None


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line for a message or a form's top error."""
    return " ".join(error.messages)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names where the form has that
    field, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
