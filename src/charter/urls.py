"""Public pages of the charter, under ``charte/`` (namespace "charter")."""

urlpatterns = []
