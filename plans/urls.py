from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit-detail"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
]
