"""/verhalen/: the stories page and its parts (`page_urls`), and the reports built from it (`report_urls`)."""

from django.urls import include, path

app_name = "stories"

urlpatterns = [
    path("", include("maatwerk.insights.stories.page_urls")),
    path("verslagen/", include("maatwerk.insights.stories.report_urls")),
]
