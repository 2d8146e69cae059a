from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("", views.request_list, name="exports"),
    path("nieuw/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/status/", views.export_status, name="status"),
    path("<int:pk>/opnieuw/", views.retry, name="retry"),
    path("<int:pk>/download/", views.download, name="download"),
    path("onderdelen/<int:pk>/besluit/", views.decide, name="decide"),
]
