"""The stories page, its parts and the learning points."""

urlpatterns = []
