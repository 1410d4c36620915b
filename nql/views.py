"""The console's NQL pages: the query page with its CSV export, and
Administration > NQL API queries and API credentials."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views import View
from django.views.generic import TemplateView

from nexthink_admin.charts import hbar_chart
from nexthink_admin.paging import page_size
from nexthink_admin.permissions import PermissionMixin

from . import ast as a
from . import selectors, services
from .csv import csv_lines
from .examples import EXAMPLES
from .forms import ApiClientForm, NqlApiQueryForm
from .models import ApiClient, NqlApiQuery
from .runner import NqlResult
from .tables import NUMERIC, tables

RESULT_PAGE_SIZE = 50
CHART_BARS = 30


class _AnyTablePermission(PermissionMixin):
    """Reading any NQL table is enough for the page; each query is then
    checked against the permission of the table it reads."""

    permission_required = ("connectors.view_device", "connectors.view_inboundconnector")

    def has_permission(self) -> bool:
        return any(self.request.user.has_perm(p) for p in self.get_permission_required())


@dataclass
class _Bar:
    label: str
    value: float
    url: str = ""
    other: bool = False


def _chart(result: NqlResult):
    if not result.chartable or not result.rows:
        return ""
    metric = next(i for i, t in enumerate(result.types) if t in NUMERIC)
    if result.bucketed:
        keys = [result.headers.index("start_time")] if "start_time" in result.headers else []
    else:
        keys = [i for i, t in enumerate(result.types) if t in ("string", "enum")]
    bars = []
    for row in result.rows[:CHART_BARS]:
        value = row[metric]
        if value is None or value < 0:
            continue
        label = " · ".join("(blank)" if row[i] is None else str(row[i]) for i in keys) or "all"
        bars.append(_Bar(label, value))
    return hbar_chart(
        bars, label=f"{result.headers[metric]} by {', '.join(result.headers[i] for i in keys)}"
    )


def _sorted_rows(result: NqlResult, column: int | None, descending: bool) -> list[list]:
    if column is None:
        return result.rows
    present = [r for r in result.rows if r[column] is not None]
    missing = [r for r in result.rows if r[column] is None]
    try:
        present.sort(key=lambda r: r[column], reverse=descending)
    except TypeError:
        present.sort(key=lambda r: str(r[column]), reverse=descending)
    return present + missing


def _error_context(text: str, error: a.NqlError) -> dict:
    ctx = {"error": str(error), "error_code": error.code}
    if error.pos is not None:
        lines = text.split("\n")
        if 0 < error.pos.line <= len(lines):
            ctx["error_line"] = lines[error.pos.line - 1]
            ctx["error_caret"] = " " * (error.pos.column - 1) + "^"
    return ctx


class NqlQueryView(_AnyTablePermission, TemplateView):
    template_name = "nql/query.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        text = self.request.GET.get("q", "")[:10_000]
        visible = {n: t for n, t in tables().items() if self.request.user.has_perm(t.permission)}
        ctx.update(q=text, tables=visible, examples=EXAMPLES)
        if not text.strip():
            return ctx
        try:
            result = selectors.nql_run(
                text=text, can_query=selectors.user_can_query(self.request.user)
            )
        except a.NqlError as error:
            ctx.update(_error_context(text, error))
            return ctx
        column, descending = self._display_sort(result)
        rows = _sorted_rows(result, column, descending)
        page = Paginator(rows, page_size(self.request.GET, RESULT_PAGE_SIZE)).get_page(
            self.request.GET.get("page")
        )
        base = {"q": text}
        ctx.update(
            result=result,
            page_obj=page,
            query=urlencode(
                {
                    **base,
                    **(
                        {"sort": column, "dir": "desc" if descending else "asc"}
                        if column is not None
                        else {}
                    ),
                }
            ),
            headers=[
                {
                    "label": h,
                    "current": i == column,
                    "descending": i == column and descending,
                    "url": "?"
                    + urlencode(
                        {
                            **base,
                            "sort": i,
                            "dir": "asc"
                            if i == column and descending
                            else ("desc" if i == column else "asc"),
                        }
                    ),
                }
                for i, h in enumerate(result.headers)
            ],
            chart=_chart(result),
            export_query=urlencode(base),
        )
        return ctx

    def _display_sort(self, result: NqlResult) -> tuple[int | None, bool]:
        raw = self.request.GET.get("sort", "")
        if not raw.isascii() or not raw.isdigit() or int(raw) >= len(result.headers):
            return None, False
        return int(raw), self.request.GET.get("dir") == "desc"


class NqlExportView(_AnyTablePermission, View):
    def get(self, request):
        text = request.GET.get("q", "")[:10_000]
        try:
            result = selectors.nql_run(
                text=text,
                can_query=selectors.user_can_query(request.user),
                default_rows=settings.NQL_MAX_ROWS,
            )
        except a.NqlError as error:
            return HttpResponse(
                f"The query cannot run: {error}\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        response = StreamingHttpResponse(csv_lines(result), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        name = result.table.replace(".", "-")
        response["Content-Disposition"] = f'attachment; filename="nql-{name}-{stamp}.csv"'
        return response


# --- Administration > NQL API queries ------------------------------------------


class ApiQueryListView(PermissionMixin, TemplateView):
    permission_required = "nql.view_nqlapiquery"
    template_name = "nql/api_query_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = selectors.nql_api_query_page(
            page=self.request.GET.get("page"),
            per_page=page_size(self.request.GET, selectors.PAGE_SIZE),
        )
        ctx.update(page_obj=page, api_queries=page.object_list, paginator=page.paginator)
        return ctx


class ApiQueryCreateView(PermissionMixin, View):
    permission_required = "nql.add_nqlapiquery"
    template_name = "nql/api_query_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": NqlApiQueryForm()})

    def post(self, request):
        form = NqlApiQueryForm(request.POST)
        if form.is_valid():
            try:
                api_query = services.nql_api_query_create(**form.cleaned_data, user=request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"NQL API query {api_query.query_id} created.")
                return redirect("nql_queries:list")
        return render(request, self.template_name, {"form": form}, status=400)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ApiQueryEditView(PermissionMixin, View):
    permission_required = "nql.change_nqlapiquery"
    template_name = "nql/api_query_form.html"

    def _form(self, api_query, data=None):
        initial = {f: getattr(api_query, f) for f in ("name", "query_id", "description", "query")}
        return NqlApiQueryForm(data, initial=initial, editing=True)

    def get(self, request, pk):
        api_query = get_object_or_404(NqlApiQuery, pk=pk)
        return render(
            request, self.template_name, {"form": self._form(api_query), "api_query": api_query}
        )

    def post(self, request, pk):
        api_query = get_object_or_404(NqlApiQuery, pk=pk)
        form = self._form(api_query, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.nql_api_query_update(
                api_query=api_query,
                name=data["name"],
                description=data["description"],
                query=data["query"],
                user=request.user,
            )
            messages.success(request, f"NQL API query {api_query.query_id} saved.")
            return redirect("nql_queries:list")
        return render(
            request, self.template_name, {"form": form, "api_query": api_query}, status=400
        )


class ApiQueryDeleteView(PermissionMixin, View):
    permission_required = "nql.delete_nqlapiquery"

    def get(self, request, pk):
        api_query = get_object_or_404(NqlApiQuery, pk=pk)
        return render(request, "nql/api_query_confirm_delete.html", {"api_query": api_query})

    def post(self, request, pk):
        api_query = get_object_or_404(NqlApiQuery, pk=pk)
        services.nql_api_query_delete(api_query=api_query, user=request.user)
        messages.success(request, f"NQL API query {api_query.query_id} deleted.")
        return redirect("nql_queries:list")


# --- Administration > API credentials -------------------------------------------


class ApiClientListView(PermissionMixin, TemplateView):
    permission_required = "nql.view_apiclient"
    template_name = "nql/client_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = selectors.api_client_page(
            page=self.request.GET.get("page"),
            per_page=page_size(self.request.GET, selectors.PAGE_SIZE),
        )
        ctx.update(page_obj=page, clients=page.object_list, paginator=page.paginator)
        return ctx


class ApiClientCreateView(PermissionMixin, View):
    permission_required = "nql.add_apiclient"
    template_name = "nql/client_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ApiClientForm()})

    def post(self, request):
        form = ApiClientForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        client, secret = services.api_client_create(
            name=form.cleaned_data["name"],
            permissions=form.cleaned_data["permissions"],
            user=request.user,
        )
        # Shown on this response only: the secret is stored as a hash and never shown again.
        response = render(request, "nql/client_created.html", {"client": client, "secret": secret})
        add_never_cache_headers(response)
        return response


class ApiClientRevokeView(PermissionMixin, View):
    permission_required = "nql.change_apiclient"

    def get(self, request, pk):
        client = get_object_or_404(ApiClient, pk=pk)
        return render(request, "nql/client_confirm_revoke.html", {"client": client})

    def post(self, request, pk):
        client = get_object_or_404(ApiClient, pk=pk)
        if client.revoked_at is not None:
            messages.info(request, f"API client {client.name} was already revoked.")
            return redirect("api_clients:list")
        services.api_client_revoke(client=client, user=request.user)
        messages.success(request, f"API client {client.name} revoked: its tokens no longer work.")
        return redirect("api_clients:list")
