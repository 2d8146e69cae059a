"""The reports for the reflection meeting (under /verhalen/verslagen/, namespace "stories")."""

from django.urls import path

from .reports import views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("kiezen/", views.select, name="select"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/weghalen/", views.unselect, name="unselect"),
    path("<int:pk>/gelezen/", views.acknowledge, name="acknowledge"),
    path("<int:pk>.<str:fmt>", views.export, name="export"),
]
