"""Attendance after the day, under ``journees/<slug>/gestion/presence/`` (namespace
"attendance")."""

urlpatterns = []
