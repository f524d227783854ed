from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    # Four eyes on group mappings (before the provider routes, whose first part is a key).
    path("mappings/", views.GroupMappingReviewView.as_view(), name="mapping-review"),
    path(
        "mappings/<id:pk>/confirm/",
        views.GroupMappingDecisionView.as_view(decision="confirm"),
        name="mapping-confirm",
    ),
    path(
        "mappings/<id:pk>/reject/",
        views.GroupMappingDecisionView.as_view(decision="reject"),
        name="mapping-reject",
    ),
    path("<slug:provider>/login/", views.OidcLoginView.as_view(), name="login"),
    path("<slug:provider>/callback/", views.OidcCallbackView.as_view(), name="callback"),
]
