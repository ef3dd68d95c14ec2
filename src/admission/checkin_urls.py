"""The check-in web app for agents, under ``controle/`` (namespace "checkin")."""

urlpatterns = []
