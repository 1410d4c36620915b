from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from nexthink_admin.permissions import PermissionMixin

from . import selectors, services
from .aws_workspaces.regions import region_label
from .choices import ConnectorType
from .forms import ConnectorForm
from .models import InboundConnector


class ConnectorListView(PermissionMixin, ListView):
    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/list.html"
    context_object_name = "connectors"
    paginate_by = 25

    def get_queryset(self):
        return selectors.connector_list()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for connector in selectors.with_device_counts(ctx["connectors"]):
            connector.next_run = selectors.connector_next_run(connector)
        return ctx


class ConnectorTypeChooserView(PermissionMixin, TemplateView):
    permission_required = "connectors.add_inboundconnector"
    template_name = "connectors/choose_type.html"
    extra_context = {"types": ConnectorType.choices}


class _ConnectorFormView(PermissionMixin, FormView):
    template_name = "connectors/form.html"
    instance: InboundConnector | None = None

    def get_form(self, form_class=None):
        return ConnectorForm(**self.get_form_kwargs(), instance=self.instance)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(connector=self.instance, connector_type=ConnectorType.AWS_WORKSPACES.label)
        return ctx


class ConnectorCreateView(_ConnectorFormView):
    permission_required = "connectors.add_inboundconnector"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["connector_type"] not in ConnectorType.values:
            raise Http404("Unknown connector type")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        connector = services.connector_save(data=form.to_data(), user=self.request.user)
        messages.success(
            self.request,
            f"Connector '{connector.name}' created. Its NQL ID '{connector.nql_id}' is now fixed.",
        )
        return redirect(connector)


class ConnectorEditView(_ConnectorFormView):
    permission_required = "connectors.change_inboundconnector"

    def dispatch(self, request, *args, **kwargs):
        self.instance = get_object_or_404(InboundConnector, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        if self.request.POST.get("nql_id", self.instance.nql_id) != self.instance.nql_id:
            messages.warning(
                self.request,
                "The NQL ID cannot be changed after the first save; it was kept as it is.",
            )
        services.connector_save(
            data=form.to_data(), connector=self.instance, user=self.request.user
        )
        messages.success(self.request, f"Connector '{self.instance.name}' saved.")
        return redirect(self.instance)


class ConnectorDetailView(PermissionMixin, TemplateView):
    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            connector = selectors.connector_detail(pk=kwargs["pk"])
        except InboundConnector.DoesNotExist as exc:
            raise Http404("No such connector") from exc
        runs = selectors.connector_runs(connector=connector)[:25]
        ctx.update(
            connector=connector,
            region_label=region_label(connector.region),
            next_run=selectors.connector_next_run(connector),
            runs=runs,
            device_counts=selectors.connector_device_counts(connector=connector),
            active_run=selectors.connector_active_run(connector=connector),
        )
        return ctx


class ConnectorRunsFragmentView(PermissionMixin, TemplateView):
    """The runs table alone; the connector page polls it while a run is active."""

    permission_required = "connectors.view_inboundconnector"
    template_name = "connectors/inc/runs_table.html"

    def get_context_data(self, **kwargs):
        connector = get_object_or_404(InboundConnector, pk=kwargs["pk"])
        return {"runs": selectors.connector_runs(connector=connector)[:25]}


class ConnectorDeleteView(PermissionMixin, TemplateView):
    permission_required = "connectors.delete_inboundconnector"
    template_name = "connectors/confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        self.connector = get_object_or_404(InboundConnector, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

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


class ConnectorRunNowView(PermissionMixin, View):
    permission_required = "connectors.change_inboundconnector"

    def post(self, request, pk: int):
        connector = get_object_or_404(InboundConnector, pk=pk)
        try:
            services.connector_run_now(connector=connector, user=request.user)
        except services.RunAlreadyActive as active:
            messages.info(request, str(active))
        except services.RunNowRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Run queued. It appears below and updates as it progresses.")
        return redirect(connector)


class ConnectorToggleView(PermissionMixin, View):
    permission_required = "connectors.change_inboundconnector"

    def post(self, request, pk: int):
        connector = get_object_or_404(InboundConnector, pk=pk)
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
