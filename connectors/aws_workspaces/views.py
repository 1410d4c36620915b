"""The Test results panel's JSON endpoint: POST the form's credential and
region, get the probe's result. Never a 500, never the External ID."""

from django import forms
from django.http import JsonResponse
from django.urls import reverse
from django.views import View

from credentials.models import Credential, Protocol
from nexthink_admin.permissions import PermissionMixin
from nexthink_admin.ratelimit import rate_limit_retry_after

from ..nql import nql_id_suggest
from .probe import connection_test
from .regions import region_choices

TESTS_PER_MINUTE = 5


class ConnectorTestForm(forms.Form):
    credential = forms.ModelChoiceField(
        queryset=Credential.objects.filter(protocol=Protocol.AWS_IAM),
        error_messages={
            "required": "Select a credential first.",
            "invalid_choice": "Select a valid AWS IAM credential.",
        },
    )
    region = forms.ChoiceField(
        choices=region_choices,
        error_messages={
            "required": "Select a region first.",
            "invalid_choice": "Select a region where WorkSpaces is offered.",
        },
    )
    environment_name = forms.CharField(required=False, max_length=100)
    name = forms.CharField(required=False, max_length=100)


class ConnectorTestView(PermissionMixin, View):
    permission_required = "connectors.add_inboundconnector"
    http_method_names = ["post"]

    def has_permission(self) -> bool:
        # Whoever may create or edit a connector may test its settings.
        user = self.request.user
        return user.has_perm("connectors.add_inboundconnector") or user.has_perm(
            "connectors.change_inboundconnector"
        )

    def post(self, request):
        retry_after = rate_limit_retry_after(
            key=f"connector-test:{request.user.pk}", limit=TESTS_PER_MINUTE, window_seconds=60
        )
        if retry_after is not None:
            response = JsonResponse(
                {
                    "ok": False,
                    "message": f"Too many tests in a minute: wait {retry_after} s,"
                    " so AWS is not hammered from here.",
                },
                status=429,
            )
            response["Retry-After"] = str(retry_after)
            return response
        form = ConnectorTestForm(request.POST)
        if not form.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            first = next(iter(errors.values()))[0]
            return JsonResponse({"ok": False, "message": first, "field_errors": errors}, status=400)
        credential = form.cleaned_data["credential"]
        if not credential.is_ready:
            return JsonResponse(
                {
                    "ok": False,
                    "message": f"The credential '{credential.name}' has no AWS Role ARN yet.",
                    "hint": "Add the Role ARN on the credential's page, then run the test.",
                    "link": reverse("credentials:edit", args=[credential.pk]),
                },
                status=400,
            )
        result = connection_test(
            role_arn=credential.role_arn,
            external_id=credential.external_id,
            region=form.cleaned_data["region"],
            session_label=nql_id_suggest(form.cleaned_data["name"] or "connector-test"),
            environment_name=form.cleaned_data["environment_name"],
        )
        return JsonResponse(result.as_dict())
