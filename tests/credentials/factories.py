from credentials import services
from credentials.models import Credential

GOOD_ARN = "arn:aws:iam::111122223333:role/NexthinkConnector-WorkSpaces"


def make_credential(name: str = "Prod account", *, role_arn: str = GOOD_ARN) -> Credential:
    credential = services.credential_create(name=name)
    if role_arn:
        services.credential_update(credential=credential, name=credential.name, role_arn=role_arn)
    return credential
