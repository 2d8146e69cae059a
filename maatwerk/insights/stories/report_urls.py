"""The reports for the reflection meeting."""

urlpatterns = []
