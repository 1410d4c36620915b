"""Devices: the browsable list, its exports, and one device with its history."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from nexthink_admin.paging import page_size
from nexthink_admin.permissions import PermissionMixin

from ..models.device import SOURCE_FIELDS, VIRTUALIZATION_FIELDS, Device
from . import exports, selectors

SOURCE_LABELS = {
    "workspace_id": "WorkSpace ID",
    "session_id": "Session ID",
    "pool_id": "Pool ID",
    "bundle_id": "Bundle ID",
    "image_id": "Image ID",
    "directory_id": "Directory ID",
    "user_name": "User",
    "state": "State",
    "ip_address": "IP address",
    "running_mode": "Running mode",
}


@dataclass(frozen=True)
class Column:
    """One column of the devices table: its header and its cells read this."""

    key: str  # the Device attribute shown, and the sort key (selectors.SORTS)
    label: str
    nql: str = ""
    cell: str = "text"  # how templates/devices/list.html shows the value
    shown: bool = True  # shown until the user chooses the columns (static/js/tables.js)


# How some virtualization fields show; the others are plain text.
CELLS = {
    "desktop_pool": "optional",
    "pool_type": "badge",
    "desktop_broker": "code",
    "disk_image": "optional",
    "instance_size": "optional",
    "last_update": "datetime",
}
# Hidden until chosen, so the default view fits 1,440 px without scrolling:
# the host and hypervisor read the same on every AWS WorkSpace ("AWS host",
# "AWS hypervisor"), the broker too, the environment is the connector's, and
# the last update the time of the last run.
HIDDEN_BY_DEFAULT = {
    "hostname",
    "hypervisor_name",
    "desktop_broker",
    "environment_name",
    "last_update",
}
# Headers in the table; the full names are in the column chooser and the NQL
# name is under each header.
SHORT_LABELS = {
    "desktop_pool": "Desktop pool",
    "pool_type": "Pool type",
    "hostname": "Hostname",
    "hypervisor_name": "Hypervisor",
    "environment_name": "Environment",
}
COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", "device.name", cell="name"),
    *(
        Column(attr, label, nql, CELLS.get(attr, "text"), attr not in HIDDEN_BY_DEFAULT)
        for label, nql, attr in VIRTUALIZATION_FIELDS
    ),
    Column("connector", "Connector", cell="connector"),
    Column("state", "State", cell="state"),
)


def _columns(query: selectors.DeviceQuery) -> list[dict]:
    columns = []
    for column in COLUMNS:
        current = query.sort.removeprefix("-") == column.key
        descending = current and query.sort.startswith("-")
        sort = column.key if descending or not current else f"-{column.key}"
        columns.append(
            {
                "key": column.key,
                "label": column.label,
                "short_label": SHORT_LABELS.get(column.key, column.label),
                "nql": column.nql,
                "nql_parts": column.nql.split("."),
                "cell": column.cell,
                "shown": column.shown,
                "current": current,
                "descending": descending,
                "url": "?" + urlencode(query.params(sort=sort, page=None)),
            }
        )
    return columns


def _rows(devices) -> list[dict]:
    """Each device with its cells, in the order of COLUMNS."""
    return [
        {"device": d, "cells": [(c.cell, getattr(d, c.key), c) for c in COLUMNS]} for d in devices
    ]


class DeviceListView(PermissionMixin, TemplateView):
    permission_required = "connectors.view_device"
    template_name = "devices/list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = selectors.device_query_parse(params=self.request.GET)
        facets = selectors.device_facets(query=query)
        page = selectors.device_page(
            query=query,
            page=self.request.GET.get("page"),
            total=facets.total,
            per_page=page_size(self.request.GET, selectors.PAGE_SIZE),
        )
        params = query.params()
        ctx.update(
            device_query=query,
            facets=facets.facets,
            status=facets.status,
            total=facets.total,
            page_obj=page,
            devices=page.object_list,
            object_list=page.object_list,
            rows=_rows(page.object_list),
            columns=_columns(query),
            query=urlencode(params),
            # Only when the view is empty: does the table hold any device at all?
            no_devices_at_all=facets.total == 0 and not selectors.device_any_exists(),
            batch_size=f"{exports.ENRICHMENT_BATCH_SIZE:,}",
        )
        return ctx


class _ExportView(PermissionMixin, View):
    permission_required = "connectors.view_device"
    content_type = ""
    extension = ""

    def stream(self, devices):
        raise NotImplementedError

    def get(self, request):
        query = selectors.device_query_parse(params=request.GET)
        devices = selectors.device_list(query=query)
        response = StreamingHttpResponse(self.stream(devices), content_type=self.content_type)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="devices-{stamp}.{self.extension}"'
        self.add_headers(response, devices)
        return response

    def add_headers(self, response, devices) -> None:
        pass


class DeviceExportCsvView(_ExportView):
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def stream(self, devices):
        return exports.export_csv_rows(devices=devices)


class DeviceExportEnrichmentView(_ExportView):
    """JSON Lines of Enrichment API request bodies (see connectors/devices/exports.py)."""

    content_type = "application/x-ndjson; charset=utf-8"
    extension = "jsonl"

    def stream(self, devices):
        return exports.export_enrichment_lines(devices=devices)

    def add_headers(self, response, devices) -> None:
        count = devices.order_by().count()
        response["X-Total-Enrichments"] = str(count)
        response["X-Total-Parts"] = str(exports.enrichment_parts(count=count))


class DeviceDetailView(PermissionMixin, TemplateView):
    permission_required = "connectors.view_device"
    template_name = "devices/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            device = selectors.device_detail(pk=kwargs["pk"])
        except Device.DoesNotExist as exc:
            raise Http404("No such device") from exc
        labels = {attr: label for label, _, attr in VIRTUALIZATION_FIELDS}
        history = selectors.device_history(
            device=device,
            page=self.request.GET.get("page"),
            per_page=page_size(self.request.GET, selectors.HISTORY_PAGE_SIZE),
        )
        for change in history.object_list:
            change.label = labels.get(change.field, change.field)
        ctx.update(
            device=device,
            fields=[
                (label, nql, getattr(device, attr), attr)
                for label, nql, attr in VIRTUALIZATION_FIELDS
            ],
            source=[(SOURCE_LABELS[attr], getattr(device, attr)) for attr in SOURCE_FIELDS],
            history=history,
            page_obj=history,
            query="",
        )
        return ctx
