from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from nexthink_admin.mixins import ObjectMixin
from nexthink_admin.paging import PageSizeMixin, page_size
from nexthink_admin.permissions import PermissionMixin

from . import registry, selectors, services
from .forms import ConnectorForm, RunFilterForm
from .models import InboundConnector

# The connector page shows its newest runs; older ones are on its runs page.
RECENT_RUNS = 10


class ConnectorMixin(ObjectMixin):
    model = InboundConnector
    object_name = "connector"


class ConnectorListView(PermissionMixin, PageSizeMixin, ListView):
    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/list.html"
    context_object_name = "connectors"
    paginate_by = 25

    def get_queryset(self):
        return selectors.connector_list()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        labels = registry.parameter_labels()
        for connector in selectors.with_device_counts(ctx["connectors"]):
            connector.next_run = selectors.connector_next_run(connector)
            values = {p.label: p.value for p in connector.parameter_values}
            connector.parameter_cells = [values.get(label, "") for label in labels]
        ctx["parameter_labels"] = labels
        return ctx


class ConnectorTypeChooserView(PermissionMixin, TemplateView):
    permission_required = "connectors.add_inboundconnector"
    template_name = "connectors/choose_type.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(types=registry.connector_types(), **kwargs)


class _ConnectorFormView(PermissionMixin, FormView):
    template_name = "connectors/form.html"
    connector: InboundConnector | None = None
    connector_type: registry.ConnectorType

    def get_form(self, form_class=None):
        return ConnectorForm(
            **self.get_form_kwargs(), connector_type=self.connector_type, instance=self.connector
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        test_url_name = self.connector_type.test_url_name
        ctx.update(
            connector=self.connector,
            connector_type=self.connector_type,
            test_url=reverse(test_url_name) if test_url_name else "",
        )
        return ctx

    def warn_overlap(self, connector: InboundConnector) -> None:
        """Saved, but another connector reads the same source: say so (never blocks)."""
        warning = self.connector_type.overlap_warning(
            connector.parameters, credential=connector.credential, exclude_pk=connector.pk
        )
        if warning:
            messages.warning(self.request, warning)


class ConnectorCreateView(_ConnectorFormView):
    permission_required = "connectors.add_inboundconnector"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.connector_type = registry.connector_type(kwargs["connector_type"])
        except LookupError as exc:
            raise Http404("Unknown connector type") from exc
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        connector = services.connector_save(data=form.to_data(), user=self.request.user)
        messages.success(
            self.request,
            f"Connector '{connector.name}' created. Its NQL ID '{connector.nql_id}' is now fixed.",
        )
        self.warn_overlap(connector)
        return redirect(connector)


class ConnectorEditView(ConnectorMixin, _ConnectorFormView):
    permission_required = "connectors.change_inboundconnector"

    @property
    def connector_type(self) -> registry.ConnectorType:
        try:
            return registry.connector_type(self.connector.connector_type)
        except LookupError as exc:
            raise Http404("This connector's type is not installed") from exc

    def form_valid(self, form):
        if self.request.POST.get("nql_id", self.connector.nql_id) != self.connector.nql_id:
            messages.warning(
                self.request,
                "The NQL ID cannot be changed after the first save; it was kept as it is.",
            )
        services.connector_save(
            data=form.to_data(), connector=self.connector, user=self.request.user
        )
        messages.success(self.request, f"Connector '{self.connector.name}' saved.")
        self.warn_overlap(self.connector)
        return redirect(self.connector)


class ConnectorDetailView(PermissionMixin, TemplateView):
    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            connector = selectors.connector_detail(pk=kwargs["pk"])
        except InboundConnector.DoesNotExist as exc:
            raise Http404("No such connector") from exc
        runs = selectors.connector_runs(connector=connector)[:RECENT_RUNS]
        ctx.update(
            connector=connector,
            next_run=selectors.connector_next_run(connector),
            runs=runs,
            device_counts=selectors.connector_device_counts(connector=connector),
            active_run=selectors.connector_active_run(connector=connector),
        )
        return ctx


class ConnectorRunsFragmentView(PermissionMixin, ConnectorMixin, TemplateView):
    """The runs table alone; the connector page polls it while a run is active."""

    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/inc/runs_table.html"

    def get_context_data(self, **kwargs):
        return {"runs": selectors.connector_runs(connector=self.connector)[:RECENT_RUNS]}


class ConnectorRunListView(PermissionMixin, ConnectorMixin, TemplateView):
    """All the runs of a connector, paginated, filtered by status and by days."""

    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/runs.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET
        form = RunFilterForm(
            params if any(params.get(k) for k in RunFilterForm.base_fields) else None
        )
        filters = form.filters()
        runs = selectors.run_list(connector=self.connector, **filters)
        page = Paginator(runs, page_size(params, self.paginate_by)).get_page(params.get("page"))
        ctx.update(
            connector=self.connector,
            form=form,
            filtered=bool(filters),
            page_obj=page,
            runs=page.object_list,
            paginator=page.paginator,
        )
        return ctx


class ConnectorDeleteView(PermissionMixin, ConnectorMixin, TemplateView):
    permission_required = "connectors.delete_inboundconnector"
    template_name = "connectors/confirm_delete.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            connector=self.connector,
            device_counts=selectors.connector_device_counts(connector=self.connector),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        name = self.connector.name
        services.connector_delete(connector=self.connector, user=request.user)
        messages.success(
            request, f"Connector '{name}' deleted, with its schedule, runs and devices."
        )
        return redirect(reverse("connectors:list"))


class ConnectorRunNowView(PermissionMixin, ConnectorMixin, View):
    permission_required = "connectors.change_inboundconnector"

    def post(self, request, pk: int):
        connector = self.connector
        try:
            services.connector_run_now(connector=connector, user=request.user)
        except services.RunAlreadyActive as active:
            messages.info(request, str(active))
        except services.RunNowRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Run queued. It appears below and updates as it progresses.")
        return redirect(connector)


class ConnectorToggleView(PermissionMixin, ConnectorMixin, View):
    permission_required = "connectors.change_inboundconnector"

    def post(self, request, pk: int):
        connector = self.connector
        services.connector_set_enabled(
            connector=connector, enabled=not connector.enabled, user=request.user
        )
        state = (
            "enabled: it runs on its schedule"
            if connector.enabled
            else "disabled: its schedule is paused"
        )
        messages.success(request, f"Connector '{connector.name}' {state}.")
        return redirect(connector)
