from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .audit_views import AuditTrailView
from .auth_views import ThrottledLoginView
from .views import HomeView

admin.site.site_header = "WorkSpaces Connector administration"
admin.site.site_title = "WorkSpaces Connector admin"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("administration/credentials/", include("credentials.urls")),
    path("administration/connectors/", include("connectors.urls")),
    path("devices/", include("connectors.device_urls")),
    path("", include("insight.urls")),
    path("administration/audit/", AuditTrailView.as_view(), name="audit"),
    path("admin/", admin.site.urls),
]
