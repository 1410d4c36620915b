"""The Test results panel's JSON endpoint: POST the form's credential and
region, get the probe's checklist. Never a 500, never the External ID.

The form's own checks (a region, a credential with a Role ARN, the region in
the role's partition) are the connector form's: a mistake there is answered
at the field, never sent to AWS and never counted against the rate limit."""

from django import forms
from django.http import JsonResponse
from django.urls import reverse
from django.views import View

from credentials.models import Credential, Protocol
from nexthink_admin.permissions import PermissionMixin
from nexthink_admin.ratelimit import rate_limit_retry_after

from ..nql import nql_id_suggest
from ..registry import connector_type
from .probe import TESTS_PER_MINUTE, connection_test
from .regions import region_choices

__all__ = ["TESTS_PER_MINUTE", "ConnectorTestForm", "ConnectorTestView"]
TYPE_NAME = "aws_workspaces"


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
    connector = forms.IntegerField(required=False)  # the connector being edited, if any

    def clean_credential(self) -> Credential:
        credential = self.cleaned_data["credential"]
        if not credential.is_ready:
            raise forms.ValidationError(
                f"The credential '{credential.name}' has no AWS Role ARN yet:"
                " add it on the credential's page, then run the test."
            )
        return credential

    def clean(self):
        cleaned = super().clean()
        if "region" in cleaned and "credential" in cleaned:
            # The very check the connector form makes at save (one validation for both).
            errors = connector_type(TYPE_NAME).clean_parameters(
                {"region": cleaned["region"]}, credential=cleaned["credential"]
            )
            for name, message in errors.items():
                self.add_error(name, message)
        return cleaned


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
        form = ConnectorTestForm(request.POST)
        if not form.is_valid():
            return self._invalid(form)
        retry_after = rate_limit_retry_after(
            key=f"connector-test:{request.user.pk}", limit=TESTS_PER_MINUTE, window_seconds=60
        )
        if retry_after is not None:
            response = JsonResponse(
                {
                    "ok": False,
                    "message": f"{TESTS_PER_MINUTE} tests were run in this minute, the most"
                    f" allowed: wait {retry_after} s, so AWS is not hammered from here.",
                },
                status=429,
            )
            response["Retry-After"] = str(retry_after)
            return response
        credential, region = form.cleaned_data["credential"], form.cleaned_data["region"]
        result = connection_test(
            role_arn=credential.role_arn,
            external_id=credential.external_id,
            region=region,
            session_label=nql_id_suggest(form.cleaned_data["name"] or "connector-test"),
            environment_name=form.cleaned_data["environment_name"],
        )
        result.warning = connector_type(TYPE_NAME).overlap_warning(
            {"region": region}, credential=credential, exclude_pk=form.cleaned_data["connector"]
        )
        return JsonResponse(result.as_dict())

    @staticmethod
    def _invalid(form: ConnectorTestForm) -> JsonResponse:
        """A form mistake, answered at its field: nothing was sent to AWS."""
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        data = {"ok": False, "local": True, "message": first, "field_errors": errors}
        credential = form.cleaned_data.get("credential") or _posted_credential(form)
        if "credential" in errors and credential is not None and not credential.is_ready:
            data["link"] = reverse("credentials:edit", args=[credential.pk])
        return JsonResponse(data, status=400)


def _posted_credential(form: ConnectorTestForm) -> Credential | None:
    try:
        return Credential.objects.filter(pk=int(form.data.get("credential", ""))).first()
    except (TypeError, ValueError):
        return None
