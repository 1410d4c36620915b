from django import forms
from django.contrib import admin

from . import services
from .forms import clean_credential_name, clean_credential_role_arn
from .models import Credential


class CredentialAdminForm(forms.ModelForm):
    class Meta:
        model = Credential
        fields = ("name", "protocol", "role_arn")

    def clean_name(self) -> str:
        return clean_credential_name(self.cleaned_data.get("name", ""), exclude_pk=self.instance.pk)

    def clean_role_arn(self) -> str:
        stored = Credential.objects.get(pk=self.instance.pk) if self.instance.pk else None
        return clean_credential_role_arn(self.cleaned_data.get("role_arn", ""), credential=stored)


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    list_display = ("name", "protocol", "status_label", "verification", "role_arn", "created_at")
    list_filter = ("protocol",)
    search_fields = ("name", "role_arn")
    readonly_fields = (
        "external_id",
        "verification",
        "verified_at",
        "verification_code",
        "verification_message",
        "created_by",
        "created_at",
        "updated_at",
    )
    fields = (
        "name",
        "protocol",
        "role_arn",
        "external_id",
        "verification",
        "verified_at",
        "verification_code",
        "verification_message",
        "created_by",
        "created_at",
        "updated_at",
    )

    @admin.display(description="Status")
    def status_label(self, obj: Credential) -> str:
        return obj.get_status_display()

    def save_model(self, request, obj, form, change):
        # Writes go through the services, so the External ID is always drawn by the server.
        if change:
            services.credential_update(
                credential=obj, name=obj.name, role_arn=obj.role_arn, user=request.user
            )
        else:
            created = services.credential_create(
                name=obj.name, protocol=obj.protocol, role_arn=obj.role_arn, user=request.user
            )
            obj.pk = created.pk
            obj.external_id = created.external_id
