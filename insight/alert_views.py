"""Alerts in the console: channels, rules, "send a test", what was sent."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from nexthink_admin.paging import page_size
from nexthink_admin.permissions import PermissionMixin

from . import alert_services as services
from .alerts import channel_send_test, url_display
from .forms import ChannelForm, RuleForm
from .models import AlertChannel, AlertDelivery, AlertKind, AlertRule
from .views import InsightPage

HISTORY_PAGE_SIZE = 25
DEFAULT_THRESHOLDS = {
    AlertKind.CONNECTOR_FAILING: 3,
    AlertKind.UNHEALTHY_ABOVE: 10,
    AlertKind.STUCK_ABOVE: 10,
    AlertKind.CONNECTOR_SILENT: 3,
}


class AlertsView(InsightPage):
    permission_required = "insight.view_alertchannel"
    template_name = "insight/alerts.html"
    nav = "alerts"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        saved = {r.kind: r for r in AlertRule.objects.prefetch_related("channels")}
        rules = []
        for kind, label in AlertKind.choices:
            rule = saved.get(kind)
            rules.append(
                {
                    "kind": kind,
                    "label": label,
                    "rule": rule,
                    "threshold": rule.threshold if rule else DEFAULT_THRESHOLDS[kind],
                    "channels": [c.name for c in rule.channels.all()] if rule else [],
                }
            )
        channels = list(AlertChannel.objects.order_by("name"))
        for c in channels:
            c.destination = url_display(c.url) if c.kind == "webhook" else c.recipients
        page = Paginator(
            AlertDelivery.objects.order_by("-created_at", "-id"),
            page_size(self.request.GET, HISTORY_PAGE_SIZE),
        ).get_page(self.request.GET.get("page"))
        ctx.update(rules=rules, channels=channels, page_obj=page)
        return ctx


class ChannelCreateView(PermissionMixin, FormView):
    permission_required = "insight.add_alertchannel"
    template_name = "insight/channel_form.html"
    form_class = ChannelForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "insight_nav": "alerts"}

    def form_valid(self, form):
        channel = services.channel_save(data=form.channel_data(), user=self.request.user)
        messages.success(self.request, f"Channel '{channel.name}' saved. Send it a test.")
        return redirect("insight:alerts")


class ChannelEditView(ChannelCreateView):
    permission_required = "insight.change_alertchannel"

    def dispatch(self, request, *args, **kwargs):
        self.channel = get_object_or_404(AlertChannel, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.channel}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "channel": self.channel}

    def form_valid(self, form):
        services.channel_save(
            data=form.channel_data(), channel=self.channel, user=self.request.user
        )
        messages.success(self.request, f"Channel '{self.channel.name}' saved.")
        return redirect("insight:alerts")


class ChannelDeleteView(InsightPage):
    permission_required = "insight.delete_alertchannel"
    template_name = "insight/channel_delete.html"
    nav = "alerts"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["channel"] = get_object_or_404(AlertChannel, pk=kwargs["pk"])
        return ctx

    def post(self, request, pk):
        channel = get_object_or_404(AlertChannel, pk=pk)
        services.channel_delete(channel=channel, user=request.user)
        messages.success(
            request, f"Channel '{channel.name}' deleted; what it was sent stays in the history."
        )
        return redirect("insight:alerts")


class ChannelTestView(PermissionMixin, View):
    """POST: send a test alert to the channel now, one attempt."""

    permission_required = "insight.change_alertchannel"

    def post(self, request, pk):
        channel = get_object_or_404(AlertChannel, pk=pk)
        delivery = channel_send_test(channel=channel)
        if delivery.status == AlertDelivery.Status.SENT:
            messages.success(request, f"Test alert sent to '{channel.name}'.")
        else:
            messages.error(request, f"The test alert to '{channel.name}' failed: {delivery.error}")
        return redirect(reverse("insight:alerts") + "#history")


class RuleEditView(PermissionMixin, FormView):
    permission_required = "insight.change_alertrule"
    template_name = "insight/rule_form.html"
    form_class = RuleForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in AlertKind.values:
            raise Http404("No such alert rule.")
        self.kind = AlertKind(kwargs["kind"])
        self.rule = AlertRule.objects.filter(kind=self.kind).first()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.rule is None:
            return {"threshold": DEFAULT_THRESHOLDS[self.kind], "enabled": True}
        return {
            "threshold": self.rule.threshold,
            "enabled": self.rule.enabled,
            "channels": list(self.rule.channels.all()),
        }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "insight_nav": "alerts",
            "kind_label": self.kind.label,
        }

    def form_valid(self, form):
        d = form.cleaned_data
        services.rule_save(
            kind=self.kind,
            threshold=d["threshold"],
            enabled=d["enabled"],
            channels=list(d["channels"]),
            user=self.request.user,
        )
        messages.success(self.request, "Alert rule saved.")
        return redirect("insight:alerts")
