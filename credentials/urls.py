from django.urls import path

from . import views

app_name = "credentials"
urlpatterns = [
    path("", views.CredentialListView.as_view(), name="list"),
    path("new/", views.CredentialCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CredentialDetailView.as_view(), name="detail"),
    path("<int:pk>/verify/", views.CredentialVerifyView.as_view(), name="verify"),
    path("<int:pk>/edit/", views.CredentialEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.CredentialDeleteView.as_view(), name="delete"),
]
