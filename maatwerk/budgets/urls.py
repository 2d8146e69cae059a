from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("nieuw/", views.budget_create, name="budget_create"),
    path("<int:pk>/", views.budget_detail, name="budget"),
    path("<int:pk>/toekennen/", views.allocate, name="allocate"),
    path("aanvragen/nieuw/<int:case_id>/", views.spend_new, name="spend_new"),
    path("aanvragen/<int:pk>/", views.spend_detail, name="spend"),
    path("aanvragen/<int:pk>/<slug:action>/", views.spend_action, name="spend_action"),
    path("toetsen/", views.checks, name="checks"),
    path("betalingen/", views.payments, name="payments"),
    path("betalingen/sepa.xml", views.export_sepa, name="export_sepa"),
    path("betalingen/betalingen.csv", views.export_csv, name="export_csv"),
]
