"""Pools: the browsable list and one pool with its capacity, errors and
sessions. Same permission as the Devices page (connectors.view_device)."""

from urllib.parse import urlencode

from django.http import Http404
from django.views.generic import TemplateView

from nexthink_admin.permissions import PermissionMixin

from ..models import Pool
from ..models.device import VIRTUALIZATION_FIELDS
from ..models.pool import CAPACITY_FIELDS
from . import selectors

VIEW_PERMISSION = "connectors.view_device"


class PoolListView(PermissionMixin, TemplateView):
    permission_required = VIEW_PERMISSION
    template_name = "pools/list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = selectors.pool_query_parse(params=self.request.GET)
        page = selectors.pool_page(query=query, page=self.request.GET.get("page"))
        ctx.update(
            pool_query=query,
            choices=selectors.pool_choices(),
            statuses=selectors.STATUSES,
            page_obj=page,
            paginator=page.paginator,
            object_list=page.object_list,
            query=urlencode(query.params()),
            no_pools_at_all=not page.object_list and not selectors.pool_any_exists(),
        )
        return ctx


class PoolDetailView(PermissionMixin, TemplateView):
    permission_required = VIEW_PERMISSION
    template_name = "pools/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            pool = selectors.pool_detail(pk=kwargs["pk"])
        except Pool.DoesNotExist as exc:
            raise Http404("No such pool") from exc
        view = self.request.GET.get("sessions", "current")
        if view not in dict(selectors.SESSION_VIEWS):
            view = "current"
        sessions = selectors.pool_sessions(pool=pool, view=view, page=self.request.GET.get("page"))
        counts = selectors.pool_session_counts(pool=pool)
        values = pool.virtualization_values()
        ctx.update(
            pool=pool,
            fields=[(label, nql, values[attr], attr) for label, nql, attr in VIRTUALIZATION_FIELDS],
            capacity=[(label, getattr(pool, attr)) for attr, label in CAPACITY_FIELDS],
            session_views=[
                (value, label, counts[value], value == view)
                for value, label in selectors.SESSION_VIEWS
            ],
            session_view=view,
            sessions=sessions,
            page_obj=sessions,
            query=urlencode({"sessions": view}) if view != "current" else "",
        )
        return ctx
