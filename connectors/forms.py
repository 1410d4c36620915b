"""The connector form: a General tab, and a Parameters tab holding the
parameters its type declares (connectors/registry.py) and the environment name."""

from django import forms

from credentials.models import Credential
from nexthink_admin.names import name_clean

from .choices import Recurrence, RunStatus
from .models import InboundConnector
from .nql import nql_id_suggest, nql_id_validate
from .registry import ConnectorType
from .services import ConnectorData

GENERAL_FIELDS = ("name", "nql_id", "description", "recurrence", "credential")


def environment_name_clean(value: str) -> str:
    """Runs of whitespace (tabs, line breaks) become one space; then the rules of every name."""
    return name_clean(" ".join(value.split()), what="environment name")


class CredentialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Credential) -> str:
        return obj.name if obj.is_ready else f"{obj.name} (waiting for role ARN)"


class ConnectorForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text=InboundConnector._meta.get_field("name").help_text
    )
    nql_id = forms.CharField(
        label="NQL ID",
        max_length=200,
        required=False,
        help_text="Suggested from the name; lowercase letters, digits and underscores."
        " It cannot be changed after the first save.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    recurrence = forms.TypedChoiceField(
        coerce=int, choices=Recurrence.choices, initial=Recurrence.HOURLY
    )
    credential = CredentialChoiceField(
        label="Credentials",
        queryset=Credential.objects.none(),  # the type's protocol, set in __init__
        empty_label="Select a credential",
        help_text="Only AWS IAM credentials with a Role ARN can be used.",
    )
    environment_name = forms.CharField(
        max_length=100,
        help_text="Enriched devices reference this name in NQL (virtualization.environment_name).",
    )

    def __init__(
        self,
        *args,
        connector_type: ConnectorType,
        instance: InboundConnector | None = None,
        **kwargs,
    ):
        self.connector_type, self.instance = connector_type, instance
        if instance is not None:
            kwargs["initial"] = {
                **(kwargs.get("initial") or {}),
                "name": instance.name,
                "nql_id": instance.nql_id,
                "description": instance.description,
                "recurrence": instance.recurrence,
                "credential": instance.credential_id,
                **{n: instance.parameters.get(n) for n in connector_type.parameter_fields()},
                "environment_name": instance.environment_name,
            }
        super().__init__(*args, **kwargs)
        self.fields["credential"].queryset = Credential.objects.filter(
            protocol=connector_type.credential_protocol
        ).order_by("name")
        self.parameter_names = tuple(connector_type.parameter_fields())
        # The type's parameters go first on the Parameters tab, then the environment name.
        fields = dict(self.fields)
        environment_name = fields.pop("environment_name")
        self.fields = {**fields, **connector_type.parameter_fields()}
        self.fields["environment_name"] = environment_name
        if instance is not None:
            # Locked after the first save: Django ignores any posted value of a disabled field.
            self.fields["nql_id"].disabled = True
            self.fields[
                "nql_id"
            ].help_text = "Locked: the NQL ID cannot be changed after the first save."

    @property
    def unfinished_credentials(self) -> list[Credential]:
        return [c for c in self.fields["credential"].queryset if not c.is_ready]

    @property
    def parameter_fields(self) -> list[forms.BoundField]:
        """The Parameters tab, in order."""
        return [self[name] for name in (*self.parameter_names, "environment_name")]

    def tab_errors(self) -> dict[str, bool]:
        return {
            "general": any(f in self.errors for f in GENERAL_FIELDS),
            "parameters": any(f.name in self.errors for f in self.parameter_fields),
        }

    def clean_name(self) -> str:
        name = name_clean(self.cleaned_data["name"], what="connector name")
        if not name:
            raise forms.ValidationError("Give the connector a name.")
        return name

    def clean_nql_id(self) -> str:
        if self.instance is not None:
            return self.instance.nql_id
        value = self.cleaned_data["nql_id"].strip()
        if not value:
            value = nql_id_suggest(self.cleaned_data.get("name", "") or self.data.get("name", ""))
        nql_id_validate(value)
        if InboundConnector.objects.filter(nql_id=value).exists():
            raise forms.ValidationError(
                f"The NQL ID '{value}' is already used by another connector."
            )
        return value

    def clean_credential(self) -> Credential:
        credential = self.cleaned_data["credential"]
        if not credential.is_ready:
            raise forms.ValidationError(
                f"The credential '{credential.name}' has no AWS Role ARN yet:"
                " add it on the credential's page first."
            )
        return credential

    def clean_environment_name(self) -> str:
        value = environment_name_clean(self.cleaned_data["environment_name"])
        if not value:
            raise forms.ValidationError("Enter an environment name.")
        return value

    def clean(self):
        cleaned = super().clean()
        names = self.parameter_names
        if all(name in cleaned for name in names):
            parameters = {name: cleaned[name] for name in names}
            errors = self.connector_type.clean_parameters(
                parameters, credential=cleaned.get("credential")
            )
            for name, message in errors.items():
                self.add_error(name, message)
        return cleaned

    def to_data(self) -> ConnectorData:
        c = self.cleaned_data
        return ConnectorData(
            name=c["name"],
            nql_id=c["nql_id"],
            description=c["description"],
            recurrence=c["recurrence"],
            credential_id=c["credential"].pk,
            environment_name=c["environment_name"],
            connector_type=self.connector_type.name,
            parameters={name: c[name] for name in self.parameter_names},
        )


class RunFilterForm(forms.Form):
    """The filters of a connector's runs: a status and a range of days, both
    ends included (days of the current time zone). Invalid values are shown at
    their field and leave the list unfiltered by them."""

    status = forms.ChoiceField(
        choices=[("", "All statuses"), *RunStatus.choices], required=False, label="Status"
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data

    def filters(self) -> dict:
        """The valid filters only, as run_list() takes them."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            key: data[key]
            for key in ("status", "since", "until")
            if data.get(key) and key not in self.errors
        }
