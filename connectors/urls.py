from django.urls import path

from . import registry, views

app_name = "connectors"
urlpatterns = [
    path("", views.ConnectorListView.as_view(), name="list"),
    path("new/", views.ConnectorTypeChooserView.as_view(), name="choose_type"),
    path("new/<slug:connector_type>/", views.ConnectorCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ConnectorDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ConnectorEditView.as_view(), name="edit"),
    path("<int:pk>/runs/", views.ConnectorRunsFragmentView.as_view(), name="runs_fragment"),
    path("<int:pk>/runs/all/", views.ConnectorRunListView.as_view(), name="runs"),
    path("<int:pk>/delete/", views.ConnectorDeleteView.as_view(), name="delete"),
    path("<int:pk>/run/", views.ConnectorRunNowView.as_view(), name="run_now"),
    path("<int:pk>/toggle/", views.ConnectorToggleView.as_view(), name="toggle"),
    *registry.type_urlpatterns(),
]
