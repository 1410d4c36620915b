from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from nexthink_admin.mixins import ObjectMixin
from nexthink_admin.paging import PageSizeMixin
from nexthink_admin.permissions import PermissionMixin
from nexthink_admin.ratelimit import rate_limit_retry_after

from . import policies, selectors, services
from .forms import CredentialCreateForm, CredentialEditForm
from .models import Credential

VERIFY_PER_MINUTE = 5  # per user; only a Verify that reaches AWS counts


class CredentialMixin(ObjectMixin):
    model = Credential
    object_name = "credential"


class CredentialListView(PermissionMixin, PageSizeMixin, ListView):
    permission_required = "credentials.view_credential"
    template_name = "credentials/list.html"
    context_object_name = "credentials"
    paginate_by = 25

    def get_queryset(self):
        return selectors.credential_list()


class CredentialCreateView(PermissionMixin, FormView):
    permission_required = "credentials.add_credential"
    template_name = "credentials/form.html"
    form_class = CredentialCreateForm

    def form_valid(self, form):
        credential = services.credential_create(
            name=form.cleaned_data["name"],
            protocol=form.cleaned_data["protocol"],
            user=self.request.user,
        )
        messages.success(
            self.request,
            f"Credential '{credential.name}' created. Create the role in AWS with the"
            " policies below, then paste its Role ARN.",
        )
        return redirect(credential)


class CredentialDetailView(PermissionMixin, DetailView):
    permission_required = "credentials.view_credential"
    template_name = "credentials/detail.html"
    model = Credential
    context_object_name = "credential"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        credential = self.object
        ctx.update(
            permissions_policy=policies.as_json(policies.permissions_policy()),
            trust_policy=policies.as_json(
                policies.trust_policy(
                    external_id=credential.external_id,
                    trusted_account_id=settings.AWS_TRUSTED_ACCOUNT_ID,
                )
            ),
            role_prefix=settings.AWS_ROLE_NAME_PREFIX,
            trusted_account_id=settings.AWS_TRUSTED_ACCOUNT_ID,
            connector_names=selectors.credential_connector_names(credential=credential),
            verification_hint=selectors.credential_verification_hint(credential=credential),
        )
        return ctx


class CredentialVerifyView(PermissionMixin, CredentialMixin, View):
    """Verify: assume the role with the External ID, nothing else; the outcome
    and its time are kept on the credential and shown on its pages."""

    permission_required = "credentials.change_credential"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        credential = self.credential
        if not credential.role_arn:
            messages.error(request, "Add the AWS Role ARN first: there is no role to verify yet.")
            return redirect(credential)
        retry_after = rate_limit_retry_after(
            key=f"credential-verify:{request.user.pk}", limit=VERIFY_PER_MINUTE, window_seconds=60
        )
        if retry_after is not None:
            messages.error(
                request,
                f"Verify was used {VERIFY_PER_MINUTE} times in this minute, the most allowed:"
                f" wait {retry_after} s.",
            )
            return redirect(credential)
        result = services.credential_verify(credential=credential, user=request.user)
        if result.ok:
            messages.success(
                request,
                "Verified: AWS let this console assume the role with this credential's"
                " External ID.",
            )
        else:
            what = "the role could not be assumed" if result.reached_aws else "AWS was not reached"
            messages.error(request, f"Verify failed ({result.code}): {what}. {result.hint}")
        return redirect(credential)


class CredentialEditView(PermissionMixin, CredentialMixin, FormView):
    permission_required = "credentials.change_credential"
    template_name = "credentials/form.html"

    def get_form(self, form_class=None):
        return CredentialEditForm(**self.get_form_kwargs(), instance=self.credential)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(credential=self.credential, role_prefix=settings.AWS_ROLE_NAME_PREFIX)
        return ctx

    def form_valid(self, form):
        try:
            services.credential_update(
                credential=self.credential,
                name=form.cleaned_data["name"],
                role_arn=form.cleaned_data["role_arn"],
                user=self.request.user,
            )
        except services.CredentialInUse as exc:  # a connector was added meanwhile
            form.add_error(
                "role_arn",
                "The Role ARN cannot be removed: the connectors "
                + ", ".join(f"'{n}'" for n in exc.connector_names)
                + " use this credential.",
            )
            return self.form_invalid(form)
        messages.success(self.request, f"Credential '{self.credential.name}' saved.")
        return redirect(self.credential)


class CredentialDeleteView(PermissionMixin, CredentialMixin, TemplateView):
    permission_required = "credentials.delete_credential"
    template_name = "credentials/confirm_delete.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            credential=self.credential,
            connector_names=selectors.credential_connector_names(credential=self.credential),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        try:
            services.credential_delete(credential=self.credential, user=request.user)
        except services.CredentialInUse as exc:
            messages.error(
                request,
                "This credential is used by "
                + ", ".join(exc.connector_names)
                + ". Change or delete those connectors first.",
            )
            return self.render_to_response(self.get_context_data(), status=409)
        messages.success(request, f"Credential '{self.credential.name}' deleted.")
        return redirect(reverse("credentials:list"))
