from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from plans.views import organisation as plans_views

account_patterns = [
    path("login/", plans_views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", plans_views.PortalPasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", plans_views.HomeView.as_view(), name="home"),
    path("accounts/", include(account_patterns)),
    path("accounts/oidc/", include("identity.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", plans_views.HealthView.as_view(), name="healthz"),
    path("plans/", include("plans.urls")),
    path("competence/", include("competence.urls")),
    path("indicators/", include("indicators.urls")),
    path("bti/", include("btitracker.urls")),
    path("tjenester/", include("btitracker.urls_directory")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
