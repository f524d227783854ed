from django.urls import path

from plans.views import organisation

app_name = "plans"

urlpatterns = [
    path("units/", organisation.UnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>/", organisation.UnitDetailView.as_view(), name="unit-detail"),
    path("profile/", organisation.ProfileView.as_view(), name="profile"),
]

# --- quality plan and framework (plans/views/quality_plan.py, plans/views/framework.py) ---
# --- end quality plan and framework ---

# --- unit development plans (plans/views/unit_plans.py) ---
# --- end unit development plans ---

# --- quality tools, self-assessment and fortellinger (plans/views/self_assessment.py,
#     plans/views/participation.py) ---
# --- end quality tools, self-assessment and fortellinger ---

# --- sector dashboard (plans/views/dashboard.py) ---
# --- end sector dashboard ---
