"""Devices: the browsable list, its exports, and one device with its history."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from nexthink_admin.paging import page_size
from nexthink_admin.permissions import PermissionMixin

from ..models.device import SOURCE_FIELDS, VIRTUALIZATION_FIELDS, Device
from . import exportable, exports, selectors

SOURCE_LABELS = {
    "workspace_id": "WorkSpace ID",
    "session_id": "Session ID",
    "pool_id": "Pool ID",
    "bundle_id": "Bundle ID",
    "image_id": "Bundle's image ID",
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
    """Each device with its cells, in the order of COLUMNS, and why the
    Enrichment export leaves it out (label, reason), if it does."""
    return [
        {
            "device": d,
            "cells": [(c.cell, getattr(d, c.key), c) for c in COLUMNS],
            "exclusion": exportable.REASONS.get(d.export_exclusion),
        }
        for d in devices
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


def _summary_url(query: selectors.DeviceQuery) -> str:
    params = urlencode(query.params(sort=None))
    return reverse("devices:export_summary") + (f"?{params}" if params else "")


class _ExportView(PermissionMixin, View):
    """An export of the view. Its headers say what the Enrichment export of
    the same view leaves out: X-Excluded-Devices (how many), X-Excluded-Reasons
    (`reason=count` pairs), X-Duplicate-Names (names more than one device has,
    one device chosen each); the Link header points to the summary that names them."""

    permission_required = "connectors.view_device"
    content_type = ""
    extension = ""

    def stream(self, devices):
        raise NotImplementedError

    def get(self, request):
        query = selectors.device_query_parse(params=request.GET)
        devices = selectors.device_list(query=query)
        summary = exportable.export_summary(devices=devices)
        response = StreamingHttpResponse(self.stream(devices), content_type=self.content_type)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="devices-{stamp}.{self.extension}"'
        response["X-Excluded-Devices"] = str(summary.excluded_total)
        response["X-Excluded-Reasons"] = (
            ", ".join(f"{key}={n}" for key, n in summary.excluded.items()) or "none"
        )
        response["X-Duplicate-Names"] = str(summary.duplicate_names)
        response["Link"] = f'<{_summary_url(query)}>; rel="describedby"'
        self.add_headers(response, summary)
        return response

    def add_headers(self, response, summary: exportable.ExportSummary) -> None:
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

    def add_headers(self, response, summary: exportable.ExportSummary) -> None:
        response["X-Total-Enrichments"] = str(summary.exported)
        response["X-Total-Parts"] = str(exports.enrichment_parts(count=summary.exported))


class DeviceExportSummaryView(PermissionMixin, View):
    """What the Enrichment export of the view holds and leaves out, and why:
    one JSON object, `{"summary": {...}}` (docs/EXPORTS.md)."""

    permission_required = "connectors.view_device"

    def get(self, request):
        query = selectors.device_query_parse(params=request.GET)
        devices = selectors.device_list(query=query)
        summary = exportable.export_summary(devices=devices, names=True)
        body = {
            "view": query.params(sort=None),
            "enrichment_export": reverse("devices:export_enrichment")
            + (f"?{urlencode(query.params())}" if query.params() else ""),
            "blank_values": {
                policy: [
                    exports.ENRICHMENT_FIELD_PREFIX + nql.removeprefix("virtualization.")
                    for _, nql, attr in VIRTUALIZATION_FIELDS
                    if exports.BLANK_POLICY[attr] == policy
                ]
                for policy in (exports.CLEAR, exports.OMIT)
            },
            **summary.as_json(),
        }
        return JsonResponse({"summary": body}, json_dumps_params={"indent": 1})


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def _volume(size: int | None, encrypted: bool | None) -> str:
    if size is None:
        return ""
    return f"{size} GiB" + {True: ", encrypted", False: ", not encrypted"}.get(encrypted, "")


def _workspace_record(device: Device) -> list[tuple[str, str]]:
    """What AWS tells of the WorkSpace beyond the ten fields, labelled."""
    auto_stop = device.auto_stop_timeout_minutes
    return [
        ("WorkSpace name", device.workspace_name),
        ("Operating system", device.operating_system_name),
        ("Protocols", device.protocols),
        ("Root volume", _volume(device.root_volume_size_gib, device.root_volume_encrypted)),
        ("User volume", _volume(device.user_volume_size_gib, device.user_volume_encrypted)),
        ("Auto stop after", f"{auto_stop} minutes" if auto_stop is not None else ""),
        ("Subnet ID", device.subnet_id),
        ("Modifications", device.modification_states),
        ("Related WorkSpaces", device.standby_workspaces),
    ]


def _change_labels() -> dict[str, str]:
    labels = {f.name: str(f.verbose_name) for f in Device._meta.concrete_fields}
    labels = {name: label[:1].upper() + label[1:] for name, label in labels.items()}
    labels.update({attr: label for label, _, attr in VIRTUALIZATION_FIELDS})
    return labels


class DeviceDetailView(PermissionMixin, TemplateView):
    permission_required = "connectors.view_device"
    template_name = "devices/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            device = selectors.device_detail(pk=kwargs["pk"])
        except Device.DoesNotExist as exc:
            raise Http404("No such device") from exc
        labels = _change_labels()
        history = selectors.device_history(
            device=device,
            page=self.request.GET.get("page"),
            per_page=page_size(self.request.GET, selectors.HISTORY_PAGE_SIZE),
        )
        for change in history.object_list:
            change.label = labels.get(change.field, change.field)
        ctx.update(
            device=device,
            export=exportable.device_export_status(device=device),
            fields=[
                (label, nql, getattr(device, attr), attr)
                for label, nql, attr in VIRTUALIZATION_FIELDS
            ],
            source=[(SOURCE_LABELS[attr], getattr(device, attr)) for attr in SOURCE_FIELDS],
            record=_workspace_record(device),
            image_update_available=_yes_no(device.image_update_available),
            history=history,
            page_obj=history,
            query="",
        )
        return ctx
