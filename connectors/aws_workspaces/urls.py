"""The AWS WorkSpaces type's own pages, served under connectors/aws_workspaces/."""

from django.urls import path

from . import views

urlpatterns = [
    path("test/", views.ConnectorTestView.as_view(), name="test"),
]
