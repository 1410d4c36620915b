from django.views.generic import ListView

from nexthink_admin.permissions import PermissionMixin

from .models import Device, InboundConnector


class ConnectorListView(PermissionMixin, ListView):
    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/list.html"
    context_object_name = "connectors"
    paginate_by = 25

    def get_queryset(self):
        return InboundConnector.objects.select_related("credential")


class DeviceListView(PermissionMixin, ListView):
    permission_required = "connectors.view_device"
    template_name = "connectors/devices.html"
    context_object_name = "devices"
    paginate_by = 50

    def get_queryset(self):
        return Device.objects.select_related("connector")
