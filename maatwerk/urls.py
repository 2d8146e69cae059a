from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from maatwerk import health
from maatwerk.accounts import views as account_views
from maatwerk.api.urls import api
from maatwerk.insights import views as insight_views

urlpatterns = [
    path("", insight_views.home, name="home"),
    path("inloggen/", account_views.LoginView.as_view(), name="login"),
    # Two-factor login: the code step and enrolment of a pending login, and the user's own page.
    path("inloggen/code/", account_views.login_code, name="login_code"),
    path("inloggen/instellen/", account_views.login_enrol, name="login_enrol"),
    path("account/tweestaps/", account_views.account, name="twofactor"),
    path("account/tweestaps/instellen/", account_views.account_enrol, name="twofactor_enrol"),
    path("account/tweestaps/herstelcodes/", account_views.recovery_codes, name="twofactor_codes"),
    path(
        "account/tweestaps/herstelcodes/nieuw/", account_views.regenerate_codes, name="twofactor_regenerate"
    ),
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
    path("gezondheid/", health.health, name="health"),
    path("api/v1/", api.urls),
    path("beheer/", admin.site.urls),
]
