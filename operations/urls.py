from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
    path("administration/operations/", views.OperationsView.as_view(), name="page"),
]
