"""How a run's error message is shown to someone who may not see credentials.

AWS error messages name the role (`...on resource: arn:aws:iam::ACCOUNT:role/NAME`)
and the account. Credential pages are closed to Viewers, so run messages shown
to them hide every ARN and every 12-digit account id."""

import re

from django import template

register = template.Library()

_ARN = re.compile(r"arn:aws[a-z-]*:[^\s\"'<>,;()]*", re.ASCII)
_ACCOUNT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])", re.ASCII)


@register.filter
def hide_aws_identities(message: str) -> str:
    return _ACCOUNT.sub("[account]", _ARN.sub("[ARN hidden]", message or ""))
