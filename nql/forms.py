"""Forms of the NQL administration pages; they validate, the services write."""

from django import forms

from .models import QUERY_ID_MAX, query_id_validate
from .services import nql_query_validate
from .tables import tables


class NqlApiQueryForm(forms.Form):
    name = forms.CharField(max_length=100)
    query_id = forms.CharField(
        label="Query ID",
        max_length=QUERY_ID_MAX,
        validators=[query_id_validate],
        help_text="# followed by lowercase letters, digits and underscores, for example "
        "#aws_inventory_by_region. It cannot be changed after creation.",
    )
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    query = forms.CharField(
        label="NQL query",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
        help_text="Use $name for a value the caller gives, for example "
        "devices | where virtualization.region == $region | list name.",
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # A disabled field ignores whatever a POST says: the saved Query ID stays.
            self.fields["query_id"].disabled = True
            self.fields["query_id"].help_text = "The Query ID cannot be changed after creation."

    def clean_query(self) -> str:
        return nql_query_validate(text=self.cleaned_data["query"])


def _permission_choices() -> list[tuple[str, str]]:
    return [(t.scope, f"Query the {t.name} table") for t in tables().values()]


class ApiClientForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the machine is, for example Power BI.")
    permissions = forms.MultipleChoiceField(
        choices=_permission_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The tables its NQL API queries may read.",
    )
