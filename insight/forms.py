"""Alert configuration forms: every bad value is refused at its field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .alert_services import ChannelData
from .alerts import url_display, webhook_url_problem
from .models import AlertChannel, ChannelKind

MAX_RECIPIENTS = 50


def split_recipients(value: str) -> list[str]:
    return [r.strip() for r in value.replace(",", "\n").splitlines() if r.strip()]


class ChannelForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(label="Type", choices=ChannelKind.choices)
    recipients = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E-mail: addresses, one a line or separated by commas.",
    )
    url = forms.CharField(
        label="Webhook URL",
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Webhook: http:// or https://. The JSON body is POSTed to this URL only; "
        "redirects are not followed.",
    )
    secret = forms.CharField(
        label="Signing secret",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Webhook, optional: signs each body with HMAC-SHA256 (X-Signature-256 header).",
    )
    clear_secret = forms.BooleanField(label="Remove the signing secret", required=False)
    enabled = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, instance: AlertChannel | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs["initial"] = {
                "name": instance.name,
                "kind": instance.kind,
                "recipients": instance.recipients,
                "enabled": instance.enabled,
            }
        super().__init__(*args, **kwargs)
        if instance is not None and instance.url:
            self.fields["url"].help_text = (
                f"Saved: {url_display(instance.url)} (not shown). Leave blank to keep it. "
                + self.fields["url"].help_text
            )
        if instance is not None and instance.secret:
            self.fields[
                "secret"
            ].help_text = "A secret is saved (not shown). Leave blank to keep it."

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = AlertChannel.objects.filter(name=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("Another channel has this name.")
        return name

    def clean_recipients(self):
        recipients = split_recipients(self.cleaned_data["recipients"])
        if len(recipients) > MAX_RECIPIENTS:
            raise ValidationError(f"At most {MAX_RECIPIENTS} addresses.")
        for r in recipients:
            try:
                validate_email(r)
            except ValidationError:
                raise ValidationError(f"“{r}” is not an e-mail address.") from None
        return "\n".join(recipients)

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url:
            problem = webhook_url_problem(url)
            if problem:
                raise ValidationError(problem)
        return url

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ChannelKind.EMAIL and "recipients" in data and not data["recipients"]:
            self.add_error("recipients", "Give at least one e-mail address.")
        saved_url = self.instance is not None and self.instance.url
        if kind == ChannelKind.WEBHOOK and "url" in data and not data["url"] and not saved_url:
            self.add_error("url", "Give the URL the webhook is sent to.")
        return data

    def channel_data(self) -> ChannelData:
        d = self.cleaned_data
        secret = "" if d["clear_secret"] else (d["secret"] or None)
        return ChannelData(
            name=d["name"],
            kind=d["kind"],
            recipients=d["recipients"] if d["kind"] == ChannelKind.EMAIL else "",
            url=d["url"] or None,
            secret=secret,
            enabled=d["enabled"],
        )


class RuleForm(forms.Form):
    threshold = forms.IntegerField(min_value=1, max_value=1_000_000)
    enabled = forms.BooleanField(required=False)
    channels = forms.ModelMultipleChoiceField(
        queryset=AlertChannel.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Who is told when the condition starts and when it ends.",
    )
