"""The stories page, its parts and the learning points."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.stories_page, name="list"),
    path("alle/", views.all_voices, name="all"),
    path("leerpunten/", views.learning_page, name="learning"),
]
