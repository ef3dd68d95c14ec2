"""Online signing of the charter, under ``charte/`` (namespace "charter_signing")."""

urlpatterns = []
