from django.urls import path

from . import views

app_name = "zaken"

urlpatterns = [
    path("casussen/<int:case_id>/", views.panel, name="panel"),
    path("casussen/<int:case_id>/opnieuw/", views.retry, name="retry"),
]
