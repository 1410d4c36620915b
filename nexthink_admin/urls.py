from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from nql.urls import api_client_patterns, api_patterns, api_query_patterns, query_patterns

from .audit_views import AuditTrailView
from .preferences import PreferencesView
from .themes import ThemeView
from .views import HomeView, favicon

# Django admin, branded as this console (templates/admin/base_site.html adds its
# favicon, theme and a link back).
admin.site.site_header = "WorkSpaces Connector console · Django admin"
admin.site.site_title = "WorkSpaces Connector console"
admin.site.index_title = "Data administration"
admin.site.site_url = "/"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("preferences/", PreferencesView.as_view(), name="preferences"),
    path("preferences/theme/", ThemeView.as_view(), name="theme"),
    path("login/", auth_views.LoginView.as_view(), name="login"),  # lockout: sign_in.py
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("administration/credentials/", include("credentials.urls")),
    path("administration/connectors/", include("connectors.urls")),
    path("devices/pools/", include("connectors.pools.urls")),
    path("devices/", include("connectors.devices.urls")),
    path("", include("insight.urls")),
    path("administration/audit/", AuditTrailView.as_view(), name="audit"),
    path("nql/", include(query_patterns)),
    path("administration/nql-api-queries/", include(api_query_patterns)),
    path("administration/api-credentials/", include(api_client_patterns)),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("", include("operations.urls")),
]
