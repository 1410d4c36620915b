from django.urls import path

from . import views

app_name = "pools"
urlpatterns = [
    path("", views.PoolListView.as_view(), name="list"),
    path("<int:pk>/", views.PoolDetailView.as_view(), name="detail"),
]
