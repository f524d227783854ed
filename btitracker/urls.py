from django.urls import path, re_path

from btitracker.views import cases as views
from btitracker.views import consultations, followup, handbook

app_name = "bti"

urlpatterns = [
    path("", views.BtiHomeView.as_view(), name="home"),
    path("sok/", views.CaseSearchView.as_view(), name="search"),
    path("statistikk/", views.StatisticsView.as_view(), name="statistics"),
    path("oppfolging/", followup.UnitFollowUpListView.as_view(), name="followup"),
    path("oppfolging/csv/", followup.UnitFollowUpExportView.as_view(), name="followup-export"),
    path("melde/", views.ReportGuidanceView.as_view(), name="report-guidance"),
    path("totrinn/oppsett/", views.OtpEnrolView.as_view(), name="otp-enrol"),
    path("totrinn/", views.OtpVerifyView.as_view(), name="otp-verify"),
    path("undring/ny/", views.ConcernCreateView.as_view(), name="concern-create"),
    path("undring/<id:pk>/", views.ConcernDetailView.as_view(), name="concern-detail"),
    path("undring/<id:pk>/beslutning/", views.ConcernDecideView.as_view(), name="concern-decide"),
    path("logg/<id:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("logg/<id:pk>/niva/", views.CaseLevelView.as_view(), name="case-level"),
    path("logg/<id:pk>/fodsel/", views.ChildBirthRecordView.as_view(), name="case-birth"),
    path("logg/<id:pk>/foresatt/", views.GuardianAddView.as_view(), name="case-guardian-add"),
    path("logg/<id:pk>/team/", views.TeamMemberAddView.as_view(), name="case-team-add"),
    path(
        "logg/<id:pk>/team/<id:member_pk>/fjern/",
        views.TeamMemberRemoveView.as_view(),
        name="case-team-remove",
    ),
    path("logg/<id:pk>/samtykke/", views.ConsentAddView.as_view(), name="case-consent-add"),
    path(
        "logg/<id:pk>/samtykke/<id:consent_pk>/trekk/",
        views.ConsentWithdrawView.as_view(),
        name="case-consent-withdraw",
    ),
    path("logg/<id:pk>/vold/", views.ViolenceFlagView.as_view(), name="case-violence"),
    path("logg/<id:pk>/mal/", views.GoalAddView.as_view(), name="case-goal-add"),
    path("logg/<id:pk>/notat/", views.EntryAddView.as_view(), name="case-entry-add"),
    path("logg/<id:pk>/tiltak/", views.ActionAddView.as_view(), name="case-action-add"),
    path(
        "logg/<id:pk>/tiltak/<id:action_pk>/evaluer/",
        views.ActionEvaluateView.as_view(),
        name="case-action-evaluate",
    ),
    path("logg/<id:pk>/mote/", views.MeetingAddView.as_view(), name="case-meeting-add"),
    path("logg/<id:pk>/stafett/", views.HandoverProposeView.as_view(), name="case-handover"),
    path("logg/<id:pk>/avslutt/", views.CaseCloseView.as_view(), name="case-close"),
    path("logg/<id:pk>/pdf/", views.CaseExportView.as_view(), name="case-export"),
    path("logg/<id:pk>/innsyn/", views.AccessHistoryView.as_view(), name="case-access-log"),
    path(
        "logg/<id:pk>/innsyn/pdf/",
        views.AccessHistoryPdfView.as_view(),
        name="case-access-pdf",
    ),
    path("stafett/<id:pk>/", views.HandoverAcceptView.as_view(), name="handover-accept"),
    # The handbook (handlingsveileder): readers, the coordinator writes.
    path("veileder/", handbook.HandbookStepListView.as_view(), name="handbook"),
    path("veileder/historikk/", handbook.HandbookChangeListView.as_view(), name="handbook-history"),
    path(
        "veileder/steg/ny/", handbook.HandbookStepCreateView.as_view(), name="handbook-step-create"
    ),
    path(
        "veileder/steg/<id:pk>/endre/",
        handbook.HandbookStepUpdateView.as_view(),
        name="handbook-step-edit",
    ),
    path(
        "veileder/steg/<id:pk>/slett/",
        handbook.HandbookStepDeleteView.as_view(),
        name="handbook-step-delete",
    ),
    path(
        "veileder/verktoy/ny/",
        handbook.HandbookToolCreateView.as_view(),
        name="handbook-tool-create",
    ),
    path(
        "veileder/verktoy/<id:pk>/",
        handbook.HandbookToolDownloadView.as_view(),
        name="handbook-tool-download",
    ),
    path(
        "veileder/verktoy/<id:pk>/slett/",
        handbook.HandbookToolDeleteView.as_view(),
        name="handbook-tool-delete",
    ),
    # Consultation meetings (samarbeidsmøter): btitracker/views/consultations.py.
    path(
        "samarbeidsmoter/",
        consultations.ConsultationListView.as_view(),
        name="consultations",
    ),
    path(
        "samarbeidsmoter/ny/",
        consultations.ConsultationScheduleCreateView.as_view(),
        name="consultation-schedule-create",
    ),
    path(
        "samarbeidsmoter/plan/<id:pk>/",
        consultations.ConsultationScheduleDetailView.as_view(),
        name="consultation-schedule",
    ),
    path(
        "samarbeidsmoter/mote/<id:pk>/",
        consultations.ConsultationMeetingDetailView.as_view(),
        name="consultation-meeting",
    ),
    path(
        "samarbeidsmoter/mote/<id:pk>/protokoll/",
        consultations.ConsultationProtocolView.as_view(),
        name="consultation-protocol",
    ),
    path(
        "samarbeidsmoter/mote/<id:pk>/endre/",
        consultations.ConsultationMeetingChangeView.as_view(),
        name="consultation-meeting-change",
    ),
    path(
        "samarbeidsmoter/tiltak/<id:pk>/oppfolging/",
        consultations.ConsultationActionFollowUpView.as_view(),
        name="consultation-action-follow-up",
    ),
    # Last: an id beyond bigint matched nothing above; logged as a refused attempt, 404.
    re_path(
        r"^(?P<kind>logg|undring|stafett)/(?P<rest>[0-9]+(?:/[^/]+)*)/$",
        views.IdOutOfRangeView.as_view(),
    ),
    re_path(
        r"^veileder/(?P<kind>steg|verktoy)/(?P<rest>[0-9]+(?:/[^/]+)*)/$",
        views.IdOutOfRangeView.as_view(),
    ),
    re_path(
        r"^samarbeidsmoter/(?P<kind>plan|mote|tiltak)/(?P<rest>[0-9]+(?:/[^/]+)*)/$",
        views.IdOutOfRangeView.as_view(),
    ),
]
