"""The token side of the API: django-oauth-toolkit's client-credentials grant,
each client limited to the scopes (permissions) its ApiClient row grants."""

from oauth2_provider.scopes import BaseScopes


class ClientScopes(BaseScopes):
    def get_all_scopes(self):
        from .tables import tables

        return {t.scope: f"Query the {t.name} table through the NQL API" for t in tables().values()}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = getattr(application, "nql_client", None) if application is not None else None
        if client is None or client.revoked_at is not None:
            return []
        return [s for s in client.permissions if s in self.get_all_scopes()]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)
