"""URLs of the NQL app, included by nexthink_admin/urls.py under their namespaces."""

from django.urls import path

from . import api, views

query_patterns = (
    [
        path("", views.NqlQueryView.as_view(), name="query"),
        path("export.csv", views.NqlExportView.as_view(), name="export_csv"),
    ],
    "nql",
)
api_query_patterns = (
    [
        path("", views.ApiQueryListView.as_view(), name="list"),
        path("new/", views.ApiQueryCreateView.as_view(), name="create"),
        path("<int:pk>/edit/", views.ApiQueryEditView.as_view(), name="edit"),
        path("<int:pk>/delete/", views.ApiQueryDeleteView.as_view(), name="delete"),
    ],
    "nql_queries",
)
api_client_patterns = (
    [
        path("", views.ApiClientListView.as_view(), name="list"),
        path("new/", views.ApiClientCreateView.as_view(), name="create"),
        path("<int:pk>/revoke/", views.ApiClientRevokeView.as_view(), name="revoke"),
    ],
    "api_clients",
)
api_patterns = (
    [
        path("token", api.TokenView.as_view(), name="token"),
        path("nql/execute", api.ExecuteView.as_view(), name="execute"),
        path("openapi.json", api.OpenApiView.as_view(), name="openapi"),
    ],
    "nql_api",
)
