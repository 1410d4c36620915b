from django.urls import path

from . import views

app_name = "devices"
urlpatterns = [
    path("", views.DeviceListView.as_view(), name="list"),
    path("export.csv", views.DeviceExportCsvView.as_view(), name="export_csv"),
    path("enrichment.jsonl", views.DeviceExportEnrichmentView.as_view(), name="export_enrichment"),
    path(
        "enrichment-summary.json",
        views.DeviceExportSummaryView.as_view(),
        name="export_summary",
    ),
    path("<int:pk>/", views.DeviceDetailView.as_view(), name="detail"),
]
