from django.urls import path

from . import ladder_views, views

app_name = "budgets"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("nieuw/", views.budget_create, name="budget_create"),
    path("<int:pk>/", views.budget_detail, name="budget"),
    path("<int:pk>/toekennen/", views.allocate, name="allocate"),
    path("aanvragen/nieuw/<int:case_id>/", views.spend_new, name="spend_new"),
    path("aanvragen/<int:pk>/", views.spend_detail, name="spend"),
    path("aanvragen/<int:pk>/<slug:action>/", views.spend_action, name="spend_action"),
    path("aanvragen/nieuw/<int:case_id>/goedkeurder/", ladder_views.route_preview, name="route_preview"),
    path("goedkeuren/", ladder_views.approvals, name="approvals"),
    path("mandaten/", ladder_views.mandates, name="mandates"),
    path("mandaten/<int:municipality_id>/nieuw/", ladder_views.mandate_edit, name="mandate_new"),
    path("mandaten/<int:municipality_id>/<int:pk>/", ladder_views.mandate_edit, name="mandate_edit"),
    path("mandaten/<int:municipality_id>/toets/", ladder_views.threshold_edit, name="threshold_edit"),
    path("toetsen/", views.checks, name="checks"),
    path("betalingen/", views.payments, name="payments"),
    path("betalingen/betalingen.csv", views.export_csv, name="export_csv"),
    path("betalingen/batches/nieuw/", views.batch_create, name="batch_create"),
    path("betalingen/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("betalingen/batches/<int:pk>/sepa.xml", views.batch_sepa, name="batch_sepa"),
    path("betalingen/batches/<int:pk>/betalingen.csv", views.batch_csv, name="batch_csv"),
    path("betalingen/batches/<int:pk>/betaald/", views.batch_pay, name="batch_pay"),
    path("betalingen/batches/<int:pk>/intrekken/", views.batch_withdraw, name="batch_withdraw"),
]
