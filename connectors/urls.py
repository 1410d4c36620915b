from django.urls import path

from . import views

app_name = "connectors"
urlpatterns = [
    path("", views.ConnectorListView.as_view(), name="list"),
    path("devices/", views.DeviceListView.as_view(), name="devices"),
]
