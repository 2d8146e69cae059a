from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from maatwerk.accounts import views as account_views
from maatwerk.api.urls import api
from maatwerk.insights import views as insight_views

urlpatterns = [
    path("", insight_views.home, name="home"),
    path("inloggen/", account_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("teams/<int:pk>/", insight_views.team_detail, name="team"),
    path("casussen/", include("maatwerk.cases.urls")),
    path("kostenoverzicht/", include("maatwerk.catalogue.urls")),
    path("businesscases/", include("maatwerk.businesscases.urls")),
    path("budget/", include("maatwerk.budgets.urls")),
    path("knelpunten/", include("maatwerk.barriers.urls")),
    path("dashboard/", include("maatwerk.insights.urls")),
    path("verhalen/", include("maatwerk.insights.stories.urls")),
    path("onderzoek/", include("maatwerk.research.urls")),
    path("oidc/", include("maatwerk.oidc.urls")),
    path("zaken/", include("maatwerk.zaken.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("beheer/", admin.site.urls),
]
