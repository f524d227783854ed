from django.urls import path

from plans.views import organisation, unit_plans

app_name = "plans"

urlpatterns = [
    path("units/", organisation.UnitListView.as_view(), name="unit-list"),
    path("units/<id:pk>/", organisation.UnitDetailView.as_view(), name="unit-detail"),
    path("profile/", organisation.ProfileView.as_view(), name="profile"),
]

# --- quality plan and framework (plans/views/quality_plan.py, plans/views/framework.py) ---
from plans.views import framework, quality_plan  # noqa: E402

urlpatterns += [
    path("quality/", quality_plan.QualityPlanListView.as_view(), name="quality-plan-list"),
    path(
        "quality/compare/",
        quality_plan.QualityPlanCompareView.as_view(),
        name="quality-plan-compare",
    ),
    path(
        "quality/<id:pk>/",
        quality_plan.QualityPlanDetailView.as_view(),
        name="quality-plan-detail",
    ),
    path(
        "quality/<id:pk>/edit/",
        quality_plan.QualityPlanEditView.as_view(),
        name="quality-plan-edit",
    ),
    path(
        "quality/<id:pk>/adopt/",
        quality_plan.QualityPlanAdoptView.as_view(),
        name="quality-plan-adopt",
    ),
    path(
        "quality/<id:pk>/revise/",
        quality_plan.QualityPlanReviseView.as_view(),
        name="quality-plan-revise",
    ),
    path(
        "quality/<id:pk>/history/",
        quality_plan.QualityPlanHistoryView.as_view(),
        name="quality-plan-history",
    ),
    path(
        "quality/<id:pk>/<slug:part>/add/",
        quality_plan.QualityPlanPartAddView.as_view(),
        name="quality-plan-part-add",
    ),
    path(
        "quality/<id:pk>/<slug:part>/<id:part_pk>/edit/",
        quality_plan.QualityPlanPartEditView.as_view(),
        name="quality-plan-part-edit",
    ),
    path(
        "quality/<id:pk>/<slug:part>/<id:part_pk>/delete/",
        quality_plan.QualityPlanPartDeleteView.as_view(),
        name="quality-plan-part-delete",
    ),
    path("framework/", framework.FrameworkView.as_view(), name="framework"),
    path(
        "framework/areas/<id:pk>/",
        framework.FrameworkAreaView.as_view(),
        name="framework-area",
    ),
    path(
        "framework/components/<id:pk>/",
        framework.FrameworkComponentView.as_view(),
        name="framework-component",
    ),
    path("trace/<id:pk>/", framework.FrameworkTraceView.as_view(), name="trace"),
]
# --- end quality plan and framework ---

# --- unit development plans (plans/views/unit_plans.py) ---
urlpatterns += [
    path("unit-plans/", unit_plans.UnitPlanListView.as_view(), name="unit-plan-list"),
    path(
        "units/<id:unit_pk>/plans/create/",
        unit_plans.UnitPlanCreateView.as_view(),
        name="unit-plan-create",
    ),
    path("unit-plans/<id:pk>/", unit_plans.UnitPlanDetailView.as_view(), name="unit-plan-detail"),
    path(
        "unit-plans/<id:pk>/summary/",
        unit_plans.UnitPlanSummaryView.as_view(),
        name="unit-plan-summary",
    ),
    path("unit-plans/<id:pk>/edit/", unit_plans.UnitPlanEditView.as_view(), name="unit-plan-edit"),
    path(
        "unit-plans/<id:pk>/history/",
        unit_plans.UnitPlanHistoryView.as_view(),
        name="unit-plan-history",
    ),
    path(
        "unit-plans/<id:pk>/submit/",
        unit_plans.UnitPlanSubmitView.as_view(),
        name="unit-plan-submit",
    ),
    path(
        "unit-plans/<id:pk>/review/",
        unit_plans.UnitPlanReviewView.as_view(),
        name="unit-plan-review",
    ),
    path(
        "unit-plans/<id:pk>/evaluate/",
        unit_plans.UnitPlanEvaluateView.as_view(),
        name="unit-plan-evaluate",
    ),
    path(
        "unit-plans/<id:pk>/<slug:part>/add/",
        unit_plans.UnitPlanPartView.as_view(),
        name="unit-plan-part-add",
    ),
    path(
        "unit-plans/<id:pk>/<slug:part>/<id:part_pk>/edit/",
        unit_plans.UnitPlanPartView.as_view(),
        name="unit-plan-part-edit",
    ),
    path(
        "unit-plans/<id:pk>/<slug:part>/<id:part_pk>/delete/",
        unit_plans.UnitPlanPartDeleteView.as_view(),
        name="unit-plan-part-delete",
    ),
]
# --- end unit development plans ---

# --- quality tools, self-assessment and fortellinger (plans/views/self_assessment.py,
#     plans/views/participation.py) ---
from plans.views import participation, self_assessment  # noqa: E402

urlpatterns += [
    path(
        "quality-tools/",
        self_assessment.QualityToolListView.as_view(),
        name="quality-tool-list",
    ),
    path(
        "quality-tools/create/",
        self_assessment.QualityToolCreateView.as_view(),
        name="quality-tool-create",
    ),
    path(
        "quality-tools/<id:pk>/",
        self_assessment.QualityToolDetailView.as_view(),
        name="quality-tool-detail",
    ),
    path(
        "quality-tools/<id:pk>/statements/add/",
        self_assessment.ToolStatementCreateView.as_view(),
        name="quality-tool-statement-add",
    ),
    path(
        "quality-tools/<id:pk>/statements/<id:statement_pk>/edit/",
        self_assessment.ToolStatementUpdateView.as_view(),
        name="quality-tool-statement-edit",
    ),
    path(
        "quality-tools/<id:pk>/statements/<id:statement_pk>/delete/",
        self_assessment.ToolStatementDeleteView.as_view(),
        name="quality-tool-statement-delete",
    ),
    path(
        "self-assessments/",
        self_assessment.SelfAssessmentListView.as_view(),
        name="self-assessment-list",
    ),
    path(
        "self-assessments/sector/",
        self_assessment.SelfAssessmentSectorView.as_view(),
        name="self-assessment-sector",
    ),
    path(
        "self-assessments/units/<id:unit_pk>/",
        self_assessment.SelfAssessmentUnitHistoryView.as_view(),
        name="self-assessment-unit",
    ),
    path(
        "self-assessments/units/<id:unit_pk>/start/",
        self_assessment.SelfAssessmentStartView.as_view(),
        name="self-assessment-start",
    ),
    path(
        "self-assessments/group/start/",
        self_assessment.GroupAssessmentStartView.as_view(),
        name="self-assessment-group-start",
    ),
    path(
        "self-assessments/sessions/",
        self_assessment.GroupSessionListView.as_view(),
        name="self-assessment-sessions",
    ),
    path(
        "self-assessments/<id:pk>/answer/",
        self_assessment.GroupAssessmentAnswerView.as_view(),
        name="self-assessment-answer",
    ),
    path(
        "self-assessments/<id:pk>/close/",
        self_assessment.GroupAssessmentCloseView.as_view(),
        name="self-assessment-close",
    ),
    path(
        "self-assessments/<id:pk>/",
        self_assessment.SelfAssessmentDetailView.as_view(),
        name="self-assessment-detail",
    ),
    path(
        "self-assessments/<id:pk>/edit/",
        self_assessment.SelfAssessmentUpdateView.as_view(),
        name="self-assessment-edit",
    ),
    path(
        "participation/",
        participation.ParticipationInputListView.as_view(),
        name="participation-list",
    ),
    path(
        "participation/add/",
        participation.ParticipationInputCreateView.as_view(),
        name="participation-add",
    ),
    path(
        "participation/<id:pk>/edit/",
        participation.ParticipationInputUpdateView.as_view(),
        name="participation-edit",
    ),
    path(
        "participation/<id:pk>/delete/",
        participation.ParticipationInputDeleteView.as_view(),
        name="participation-delete",
    ),
    path("journeys/", participation.UserJourneyListView.as_view(), name="journey-list"),
    path("journeys/add/", participation.UserJourneyCreateView.as_view(), name="journey-add"),
    path(
        "journeys/<id:pk>/",
        participation.UserJourneyDetailView.as_view(),
        name="journey-detail",
    ),
    path(
        "journeys/<id:pk>/edit/",
        participation.UserJourneyUpdateView.as_view(),
        name="journey-edit",
    ),
]
# --- end quality tools, self-assessment and fortellinger ---

# --- sector dashboard (plans/views/dashboard.py) ---
from plans.views import dashboard  # noqa: E402

urlpatterns += [
    path("dashboard/", dashboard.SectorDashboardView.as_view(), name="dashboard"),
]
# --- end sector dashboard ---

# --- four eyes on memberships (plans/views/memberships.py) ---
from plans.views import memberships  # noqa: E402

urlpatterns += [
    path("memberships/", memberships.MembershipReviewView.as_view(), name="membership-review"),
    path(
        "memberships/<id:pk>/confirm/",
        memberships.MembershipDecisionView.as_view(decision="confirm"),
        name="membership-confirm",
    ),
    path(
        "memberships/<id:pk>/reject/",
        memberships.MembershipDecisionView.as_view(decision="reject"),
        name="membership-reject",
    ),
]
# --- end four eyes on memberships ---

# --- leader dialogues (plans/views/dialogues.py) ---
from plans.views import dialogues  # noqa: E402

urlpatterns += [
    path("dialogues/", dialogues.DialogueListView.as_view(), name="dialogue-list"),
    path("dialogues/new/", dialogues.DialogueCreateView.as_view(), name="dialogue-create"),
    path("dialogues/<id:pk>/", dialogues.DialogueDetailView.as_view(), name="dialogue-detail"),
    path("dialogues/<id:pk>/print/", dialogues.DialoguePrintView.as_view(), name="dialogue-print"),
    path("dialogues/<id:pk>/edit/", dialogues.DialogueEditView.as_view(), name="dialogue-edit"),
    path(
        "dialogues/<id:pk>/agenda/",
        dialogues.DialogueAgendaView.as_view(),
        name="dialogue-agenda",
    ),
    path(
        "dialogues/<id:pk>/status/",
        dialogues.DialogueStatusView.as_view(),
        name="dialogue-status",
    ),
    path(
        "dialogues/<id:pk>/points/add/",
        dialogues.DialoguePointAddView.as_view(),
        name="dialogue-point-add",
    ),
    path(
        "dialogues/points/<id:pk>/",
        dialogues.AgreedPointUpdateView.as_view(),
        name="dialogue-point-update",
    ),
]
# --- end leader dialogues ---
