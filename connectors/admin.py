from django import forms
from django.contrib import admin

from nexthink_admin.names import name_clean

from .aws_workspaces.regions import region_choices
from .forms import environment_name_clean
from .models import InboundConnector
from .nql import nql_id_validate
from .services import ConnectorData, connector_delete, connector_save


class ConnectorAdminForm(forms.ModelForm):
    region = forms.ChoiceField(choices=region_choices)

    class Meta:
        model = InboundConnector
        fields = (
            "name",
            "nql_id",
            "description",
            "recurrence",
            "credential",
            "region",
            "environment_name",
            "enabled",
        )

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


@admin.register(InboundConnector)
class InboundConnectorAdmin(admin.ModelAdmin):
    form = ConnectorAdminForm
    list_display = (
        "name",
        "nql_id",
        "connector_type",
        "region",
        "environment_name",
        "recurrence",
        "enabled",
        "credential",
    )
    list_filter = ("region", "enabled", "credential")
    search_fields = ("name", "nql_id", "environment_name", "description")
    list_select_related = ("credential",)

    def get_readonly_fields(self, request, obj=None):
        # The NQL ID is locked after the first save.
        return ("nql_id", "created_at", "updated_at") if obj else ("created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        # Through the service, so the beat schedule follows every change.
        data = ConnectorData(
            name=obj.name,
            nql_id=obj.nql_id,
            description=obj.description,
            recurrence=obj.recurrence,
            credential_id=obj.credential_id,
            region=obj.region,
            environment_name=obj.environment_name,
            enabled=obj.enabled,
        )
        saved = connector_save(data=data, connector=obj if change else None, user=request.user)
        obj.pk, obj.periodic_task = saved.pk, saved.periodic_task

    def delete_model(self, request, obj):
        connector_delete(connector=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for connector in queryset:
            connector_delete(connector=connector, user=request.user)


from . import device_admin  # noqa: E402,F401  (devices, their history and runs: read-only)
