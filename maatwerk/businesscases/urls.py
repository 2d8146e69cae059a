from django.urls import path

from . import views

app_name = "businesscases"

urlpatterns = [
    path("case/<int:case_id>/", views.editor_view, name="editor"),
    path("case/<int:case_id>/preview/", views.preview, name="preview"),
    path("case/<int:case_id>/catalogus/", views.catalogue_search, name="search"),
    path("case/<int:case_id>/versies/<int:number>/", views.version_detail, name="version"),
    path("case/<int:case_id>/waardendriehoek/", views.triangle_view, name="triangle"),
    path("case/<int:case_id>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("case/<int:case_id>/afspraken/", views.agreements_view, name="agreements"),
]
