"""Django admin for saved NQL API queries and API clients. Writes go through
the services; the Query ID is read-only once the query exists."""

from django import forms
from django.contrib import admin

from .models import ApiClient, NqlApiQuery
from .services import nql_query_validate


class NqlApiQueryAdminForm(forms.ModelForm):
    class Meta:
        model = NqlApiQuery
        fields = ("name", "query_id", "description", "query")

    def clean_query(self) -> str:
        return nql_query_validate(text=self.cleaned_data["query"])


@admin.register(NqlApiQuery)
class NqlApiQueryAdmin(admin.ModelAdmin):
    form = NqlApiQueryAdminForm
    list_display = ("name", "query_id", "updated_at")
    search_fields = ("name", "query_id", "description")
    readonly_fields = ("created_at", "updated_at", "created_by")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "query_id") if obj is not None else fields


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "client_id", "revoked_at", "created_at")
    readonly_fields = (
        "name",
        "client_id",
        "application",
        "permissions",
        "created_at",
        "created_by",
        "revoked_at",
    )

    def has_add_permission(self, request):
        return False  # created on Administration > API credentials, which shows the secret once
