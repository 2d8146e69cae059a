from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("nieuw/", views.case_new, name="new"),
    path("nazorg/", views.followups, name="followups"),
    path("personen/<int:pk>/", views.person_detail, name="person"),
    path("personen/<int:pk>/corrigeren/", views.correct_person, name="correct_person"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/situatie/", views.situation, name="situation"),
    path("<int:pk>/status/", views.move, name="move"),
    path("<int:pk>/notities/", views.add_note, name="add_note"),
    path("<int:pk>/notities/<int:note_pk>/", views.edit_note, name="edit_note"),
    path("<int:pk>/uren/", views.register_time, name="time"),
    path("<int:pk>/personen/nieuw/", views.add_person, name="add_person"),
    path("<int:pk>/scores/", views.scores, name="scores"),
    path("<int:pk>/mdo/", views.mdt, name="mdt"),
    path("<int:pk>/afsluiten/", views.close, name="close"),
    path("<int:pk>/nazorg/<int:followup_pk>/", views.followup, name="followup"),
    path("<int:pk>/stemmen/", views.case_voices, name="voices"),
    path("stemmen/<int:pk>/", views.voice_fragment, name="voice"),
    path("stemmen/<int:pk>/controleren/", views.review_voice, name="review_voice"),
    path("stemmen/<int:pk>/intrekken/", views.withdraw_voice, name="withdraw_voice"),
    path("gesprekken/", views.conversation_list, name="conversations"),
    path("gesprekken/nieuw/", views.conversation_new, name="conversation_new"),
    path("gesprekken/<int:pk>/", views.conversation_detail, name="conversation"),
]
