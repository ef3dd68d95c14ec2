"""The JSON API, version 1: one schema, each app's router mounted under /api/v1/."""

from ninja import NinjaAPI

from accounts.api import router as accounts_router
from events.api import router as events_router

api = NinjaAPI(title="Journées PTCE", version="1", urls_namespace="api")
api.add_router("", events_router)
api.add_router("", accounts_router)
