from django.shortcuts import get_object_or_404, render

from events.models import Edition


def home(request):
    return render(
        request,
        "events/home.html",
        {"upcoming": Edition.objects.upcoming(), "past": Edition.objects.past()},
    )


def edition(request, slug):
    edition = get_object_or_404(Edition.objects.public(), slug=slug)
    return render(request, "events/edition.html", {"edition": edition})


def programme(request, slug):
    raise NotImplementedError


def speaker(request, slug, speaker):
    raise NotImplementedError


def edition_ics(request, slug):
    raise NotImplementedError


def session_ics(request, slug, session):
    raise NotImplementedError
