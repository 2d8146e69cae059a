from django.urls import path

from . import views

app_name = "oidc"

urlpatterns = [
    path("inloggen/", views.ProviderLoginView.as_view(), name="start"),
    path("terug/", views.ProviderCallbackView.as_view(), name="callback"),
    # Ends our session and, for a login through a provider, the provider's (OIDC_OP_LOGOUT_URL_METHOD).
    path("uitloggen/", views.ProviderLogoutView.as_view(), name="logout"),
]
