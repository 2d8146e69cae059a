from django.urls import path

from . import views

app_name = "barriers"

urlpatterns = [
    path("", views.barrier_list, name="list"),
    path("landelijk/", views.national, name="national"),
    path("samenvoegen/", views.merge, name="merge"),
    path("nieuw/", views.barrier_new, name="new"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("<int:pk>/", views.barrier_detail, name="detail"),
    path("<int:pk>/wijzigen/", views.edit, name="edit"),
    path("<int:pk>/casus-koppelen/", views.link, name="link"),
    path("<int:pk>/escaleren/", views.escalate, name="escalate"),
    path("<int:pk>/afsluiten/", views.close, name="close"),
    path("escalaties/<int:pk>/antwoord/", views.answer, name="answer"),
]
