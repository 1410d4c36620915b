"""Forms never carry the External ID: it is generated and kept by the server."""

from django import forms
from django.conf import settings

from nexthink_admin.names import name_clean

from .models import Credential, Protocol
from .selectors import credential_connector_names, credential_name_taken
from .validators import validate_role_arn


def clean_credential_name(value: str, *, exclude_pk: int | None) -> str:
    name = name_clean(value, what="credential name")
    if not name:
        raise forms.ValidationError("Give the credential a name.")
    if credential_name_taken(name=name, exclude_pk=exclude_pk):
        raise forms.ValidationError(
            f"A credential named '{name}' already exists (names are compared ignoring case"
            " and look-alike characters such as full-width letters)."
        )
    return name


def clean_credential_role_arn(value: str, *, credential: Credential | None) -> str:
    """A valid Role ARN, or "" when no connector uses the credential."""
    value = (value or "").strip()
    if value:
        return validate_role_arn(value, prefix=settings.AWS_ROLE_NAME_PREFIX)
    names = credential_connector_names(credential=credential) if credential else []
    if names and credential.role_arn:
        raise forms.ValidationError(
            "The Role ARN cannot be removed: the connectors "
            + ", ".join(f"'{n}'" for n in names)
            + " use this credential. Change or delete those connectors first."
        )
    return ""


class _NameMixin:
    instance_pk: int | None = None

    def clean_name(self) -> str:
        return clean_credential_name(self.cleaned_data["name"], exclude_pk=self.instance_pk)


class CredentialCreateForm(_NameMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text=Credential._meta.get_field("name").help_text)
    protocol = forms.ChoiceField(
        choices=Protocol.choices,
        initial=Protocol.AWS_IAM,
        help_text="Only AWS IAM is supported.",
    )


class CredentialEditForm(_NameMixin, forms.Form):
    name = forms.CharField(max_length=100)
    role_arn = forms.CharField(
        label="AWS Role ARN",
        max_length=2048,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "placeholder": "arn:aws:iam::123456789012:role/NexthinkConnector-WorkSpaces",
                "spellcheck": "false",
                "autocomplete": "off",
            }
        ),
        help_text="Paste the ARN of the role you created in AWS.",
    )

    def __init__(self, *args, instance: Credential, **kwargs):
        self.instance = instance
        self.instance_pk = instance.pk
        kwargs["initial"] = {
            **(kwargs.get("initial") or {}),
            "name": instance.name,
            "role_arn": instance.role_arn,
        }
        super().__init__(*args, **kwargs)

    def clean_role_arn(self) -> str:
        return clean_credential_role_arn(self.cleaned_data["role_arn"], credential=self.instance)
