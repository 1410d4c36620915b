"""The inbound connector: what every connector type shares. A type's own
settings live in `parameters`, declared by the type (connectors/registry.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from ..choices import Recurrence
from ..registry import ParameterValue, connector_type


class NqlIdLocked(ValidationError):
    """Raised when anything tries to change a saved connector's NQL ID."""

    def __init__(self) -> None:
        super().__init__(
            "The NQL ID cannot be changed after the connector is saved.", code="nql_id_locked"
        )


class ConnectorQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if "nql_id" in kwargs:
            raise NqlIdLocked()
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "nql_id" in fields:
            raise NqlIdLocked()
        return super().bulk_update(objs, fields, *args, **kwargs)


class InboundConnector(models.Model):
    name = models.CharField(
        max_length=100, help_text="A meaningful name; it appears on the administration pages."
    )
    nql_id = models.CharField(
        "NQL ID",
        max_length=64,
        unique=True,
        help_text="Identifies the connector in NQL queries. Lowercase letters, digits and"
        " underscores, starting with a letter. It cannot be changed after the first save.",
    )
    connector_type = models.CharField(
        max_length=32, editable=False, help_text="A type of connectors/registry.py."
    )
    description = models.TextField(
        blank=True, max_length=2000, help_text="The purpose and behaviour of the connector."
    )
    recurrence = models.PositiveIntegerField(
        choices=Recurrence.choices,
        default=Recurrence.HOURLY,
        help_text="How often the connector runs.",
    )
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="connectors",
        help_text="The AWS IAM credential used to assume the role in the customer's account.",
    )
    parameters = models.JSONField(
        default=dict,
        blank=True,
        help_text="The settings of the connector's type, as its parameter fields declare them.",
    )
    environment_name = models.CharField(
        max_length=100,
        help_text="Enriched devices reference this name in NQL (virtualization.environment_name).",
    )
    enabled = models.BooleanField(
        default=True, help_text="Disabled connectors do not run on their schedule."
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConnectorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "inbound connector"
        indexes = [models.Index(fields=["enabled"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The model layer itself refuses an NQL ID change, whatever the caller.
        if self.pk is not None:
            saved = getattr(self, "_saved_nql_id", None)
            if saved is None:
                saved = (
                    type(self).objects.filter(pk=self.pk).values_list("nql_id", flat=True).first()
                )
            if saved is not None and saved != self.nql_id:
                raise NqlIdLocked()
        super().save(*args, **kwargs)
        self._saved_nql_id = self.nql_id

    def get_absolute_url(self) -> str:
        return reverse("connectors:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_nql_id = instance.__dict__.get("nql_id")
        return instance

    @property
    def beat_task_name(self) -> str:
        return f"connector:{self.pk}"

    @property
    def connector_type_label(self) -> str:
        try:
            return connector_type(self.connector_type).label
        except LookupError:
            return self.connector_type

    @property
    def parameter_values(self) -> list[ParameterValue]:
        """The type's parameters, labelled for the pages."""
        try:
            return connector_type(self.connector_type).parameter_values(self.parameters)
        except LookupError:
            return [ParameterValue(k, str(v), str(v)) for k, v in self.parameters.items()]
