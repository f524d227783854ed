from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """The Django admin, open to superusers and to the data admins of a municipality.

    Data admins need no ``is_staff`` flag: the same rule that shows them the admin link
    lets them in, and every model admin scopes its rows with ``visible_to``."""

    site_header = _("Kvalitetsportalen – administrasjon")
    site_title = _("Kvalitetsportalen")
    index_title = _("Administrasjon")

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.has_perm("plans.access_admin")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        # Send visitors to the portal's own login, and answer a logged-in user whom the
        # admin refuses with 403 rather than a second login form.
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        # One login page for the whole portal. A logged-in user who reaches this is
        # someone the admin refused, and is told so instead of being asked again.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
