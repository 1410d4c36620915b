from django.urls import path

from . import alert_views, pool_views, views

app_name = "insight"
urlpatterns = [
    path("health/", views.HealthView.as_view(), name="health"),
    path("health/state-changes/", views.TransitionListView.as_view(), name="transitions"),
    path("usage/", views.UsageView.as_view(), name="usage"),
    path("usage/unused/", views.UnusedView.as_view(), name="unused"),
    path("usage/pools/", pool_views.PoolLoadView.as_view(), name="pool_load"),
    path("drift/", views.DriftView.as_view(), name="drift"),
    path("drift/changes/", views.DriftChangeListView.as_view(), name="drift_changes"),
    path("administration/retention/", views.RetentionView.as_view(), name="retention"),
    path("administration/alerts/", alert_views.AlertsView.as_view(), name="alerts"),
    path(
        "administration/alerts/channels/new/",
        alert_views.ChannelCreateView.as_view(),
        name="channel_create",
    ),
    path(
        "administration/alerts/channels/<int:pk>/edit/",
        alert_views.ChannelEditView.as_view(),
        name="channel_edit",
    ),
    path(
        "administration/alerts/channels/<int:pk>/delete/",
        alert_views.ChannelDeleteView.as_view(),
        name="channel_delete",
    ),
    path(
        "administration/alerts/channels/<int:pk>/test/",
        alert_views.ChannelTestView.as_view(),
        name="channel_test",
    ),
    path(
        "administration/alerts/rules/<slug:kind>/",
        alert_views.RuleEditView.as_view(),
        name="rule_edit",
    ),
]
