"""Organiser pages of the charter and of a national day's ceremony (namespace
"charter_organiser")."""

urlpatterns = []
