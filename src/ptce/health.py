"""Health of the running service, for monitoring: placeholder filled by the ops work."""

from django.http import JsonResponse


def healthz(request):
    return JsonResponse({"status": "ok"})
