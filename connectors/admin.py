"""Django admin: connectors through their services (the schedule follows every
change); runs, devices and their history read-only (connectors/devices/admin.py)."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet

from nexthink_admin.names import name_clean

from .devices.admin import DeviceAdmin, DeviceChangeAdmin, ReadOnlyAdmin
from .forms import environment_name_clean
from .models import Device, DeviceChange, InboundConnector, Pool, PoolSession, Run
from .nql import nql_id_validate
from .pools.admin import PoolAdmin, PoolSessionAdmin
from .registry import ConnectorType, connector_type, connector_types
from .services import ConnectorData, connector_delete, connector_save


class ConnectorAdminForm(forms.ModelForm):
    """The generic fields; InboundConnectorAdmin adds its type's parameter fields."""

    connector_type: ConnectorType

    class Meta:
        model = InboundConnector
        fields = (
            "name",
            "nql_id",
            "description",
            "recurrence",
            "credential",
            "environment_name",
            "enabled",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.connector_type.parameter_fields():
            if name in self.fields and self.instance.pk:
                self.fields[name].initial = self.instance.parameters.get(name)

    def clean_name(self) -> str:
        return name_clean(self.cleaned_data["name"], what="connector name")

    def clean_environment_name(self) -> str:
        return environment_name_clean(self.cleaned_data["environment_name"])

    def clean_nql_id(self) -> str:
        return nql_id_validate(self.cleaned_data["nql_id"].strip())

    def clean_credential(self):
        credential = self.cleaned_data["credential"]
        if not credential.is_ready:
            raise forms.ValidationError(
                f"The credential '{credential.name}' has no AWS Role ARN yet."
            )
        return credential

    @property
    def parameters(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.connector_type.parameter_fields()}

    def clean(self):
        cleaned = super().clean()
        names = tuple(self.connector_type.parameter_fields())
        if all(name in cleaned for name in names):
            errors = self.connector_type.clean_parameters(
                self.parameters, credential=cleaned.get("credential")
            )
            for name, message in errors.items():
                self.add_error(name, message)
        return cleaned


class ParameterFilter(admin.SimpleListFilter):
    """Filters connectors on one key of their parameters, by the values in use."""

    def lookups(self, request, model_admin):
        values = {
            str(parameters[self.parameter_name])
            for parameters in InboundConnector.objects.values_list("parameters", flat=True)
            if isinstance(parameters, dict) and self.parameter_name in parameters
        }
        return [(value, value) for value in sorted(values)]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(**{f"parameters__{self.parameter_name}": self.value()})
        return queryset


def parameter_filters() -> list[type[ParameterFilter]]:
    """One list filter per parameter that offers choices, over every type."""
    filters: dict[str, type[ParameterFilter]] = {}
    for kind in connector_types():
        for name, field in kind.parameter_fields().items():
            if name not in filters and getattr(field, "choices", None):
                title = str(field.label or name).lower()
                attrs = {"parameter_name": name, "title": title}
                filters[name] = type(f"{name.title()}ParameterFilter", (ParameterFilter,), attrs)
    return list(filters.values())


@admin.register(InboundConnector)
class InboundConnectorAdmin(admin.ModelAdmin):
    form = ConnectorAdminForm
    list_display = (
        "name",
        "nql_id",
        "connector_type",
        "parameters_shown",
        "environment_name",
        "recurrence",
        "enabled",
        "credential",
    )
    list_filter = (*parameter_filters(), "enabled", "credential")
    search_fields = ("name", "nql_id", "environment_name", "description")
    list_select_related = ("credential",)

    def get_readonly_fields(self, request, obj=None):
        # The NQL ID is locked after the first save.
        return ("nql_id", "created_at", "updated_at") if obj else ("created_at", "updated_at")

    def _connector_type(self, request, obj) -> ConnectorType:
        """The connector's type; on add, ?connector_type= or the first registered."""
        name = obj.connector_type if obj else request.GET.get("connector_type")
        try:
            return connector_type(name or connector_types()[0].name)
        except LookupError:
            return connector_types()[0]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kind = self._connector_type(request, obj)
        attrs = {**kind.parameter_fields(), "connector_type": kind}
        kwargs["form"] = type("ConnectorAdminForm", (ConnectorAdminForm,), attrs)
        return super().get_form(request, obj, change, **kwargs)

    @admin.display(description="Parameters")
    def parameters_shown(self, obj: InboundConnector) -> str:
        return ", ".join(p.value for p in obj.parameter_values) or "—"

    def save_model(self, request, obj, form, change):
        # Through the service, so the beat schedule follows every change.
        data = ConnectorData(
            name=obj.name,
            nql_id=obj.nql_id,
            description=obj.description,
            recurrence=obj.recurrence,
            credential_id=obj.credential_id,
            environment_name=obj.environment_name,
            enabled=obj.enabled,
            connector_type=form.connector_type.name,
            parameters=form.parameters,
        )
        saved = connector_save(data=data, connector=obj if change else None, user=request.user)
        obj.pk, obj.periodic_task = saved.pk, saved.periodic_task

    def delete_model(self, request, obj):
        connector_delete(connector=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for connector in queryset:
            connector_delete(connector=connector, user=request.user)


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "connector",
        "status",
        "trigger",
        "created_at",
        "duration",
        "seen",
        "created",
        "updated",
        "removed",
        "error_code",
    )
    list_filter = ("connector", "status")
    list_select_related = ("connector",)
    date_hierarchy = "created_at"

    @admin.display(description="Duration")
    def duration(self, obj: Run) -> str:
        seconds = obj.duration_seconds
        return "—" if seconds is None else f"{seconds:.1f} s"


admin.site.register(Device, DeviceAdmin)
admin.site.register(DeviceChange, DeviceChangeAdmin)
admin.site.register(Pool, PoolAdmin)
admin.site.register(PoolSession, PoolSessionAdmin)
