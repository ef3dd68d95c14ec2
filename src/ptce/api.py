from ninja import NinjaAPI

api = NinjaAPI(title="Journées PTCE", version="1", urls_namespace="api")
