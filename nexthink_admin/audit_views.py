from django.views.generic import ListView

from .audit_selectors import audit_event_rows
from .models import AuditEvent
from .paging import PageSizeMixin
from .permissions import PermissionMixin


class AuditTrailView(PermissionMixin, PageSizeMixin, ListView):
    permission_required = "nexthink_admin.view_auditevent"
    template_name = "audit/list.html"
    context_object_name = "events"
    paginate_by = 50

    def object_type(self) -> str:
        value = self.request.GET.get("type", "")
        return value if value in ("credential", "connector") else ""

    def get_queryset(self):
        events = AuditEvent.objects.all()
        return events.filter(object_type=self.object_type()) if self.object_type() else events

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = audit_event_rows(list(ctx["events"]))
        ctx["query"] = f"type={self.object_type()}" if self.object_type() else ""
        return ctx
