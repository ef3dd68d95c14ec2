"""The check-in web app of the reception agents, under ``controle/``: the edition picker, the
app itself, its service worker and its web app manifest.

The pages need a login and ``check_in`` on the edition (agents of that edition, organisers);
other users get the 403 page. The app's HTML holds no personal data: the people come from the
check-in API into the device's IndexedDB, so the copy of the page that the device keeps for
offline reloads (in Cache Storage, put there by the page itself) holds none either. Pages are
still ``private`` (never in an HTTP cache, never indexed): what a device keeps is what the app
chose to keep, and the app deletes it at logout, when the day is over, or when the API
refuses the agent.

Every word the app's JavaScript shows comes from :func:`strings`, translated here in the
user's language (``json_script`` in the page): the scripts hold no user-facing text.
"""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_noop, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from accounts import permissions
from admission import codes, rehearsals
from admission.enums import CheckInResult
from common.decorators import private, verified_login_required
from common.permissions import Action
from events.models import Edition

SERVICE_WORKER = Path(__file__).parent.parent / "static" / "admission" / "checkin" / "sw.js"
#: The service worker's scope and the installed app's start page: the edition picker.
SCOPE = "/controle/"
THEME_COLOUR = "#0a3a66"
#: What the app's pages put in Cache Storage for offline reloads, besides themselves and the
#: scripts they loaded (the page adds those it finds in its resource timing).
SHELL_ASSETS = [
    "ptce/css/site.css",
    "ptce/favicon.svg",
    "admission/checkin/checkin.css",
    "admission/checkin/shell.js",
    "admission/checkin/app.js",
    "admission/checkin/store.js",
    "admission/checkin/verify.js",
    "admission/checkin/codes.js",
    "admission/checkin/decode.js",
    "admission/checkin/icon.svg",
]
ICONS = [
    ("admission/checkin/icon.svg", "any", "image/svg+xml"),
    ("admission/checkin/icon-192.png", "192x192", "image/png"),
    ("admission/checkin/icon-512.png", "512x512", "image/png"),
]


def _plural(one, other):
    """Both forms of a message with a count, for ``Intl.PluralRules`` in the page, which picks
    "one" or "other" by the page language's rule (French: 0 and 1 are "one"; English: 1 only).
    Each form is its own message (marked with ``gettext_noop`` at the call, so makemessages
    finds it): French and English have just these two forms."""
    return {"one": _(one), "other": _(other)}


def strings():
    """Every text the app's scripts show, in the active language. ``%(name)s`` placeholders
    are filled by the script (always as text, never as HTML)."""
    return {
        "results": {
            CheckInResult.ADMITTED: _("Admitted"),
            CheckInResult.ALREADY_ADMITTED: _("Refused: already admitted"),
            CheckInResult.REVOKED: _("Refused: registration cancelled"),
            CheckInResult.UNKNOWN_TICKET: _("Refused: unknown ticket"),
            CheckInResult.INVALID_TICKET: _("Refused: invalid or forged ticket"),
            CheckInResult.WRONG_EDITION: _("Refused: ticket for another day"),
            CheckInResult.NOT_OPEN: _("Refused: check-in not open yet"),
            CheckInResult.ID_MISMATCH: _("Refused: the ID does not match"),
            CheckInResult.NOT_REGISTERED_HERE: _("Not registered for this workshop"),
        },
        "details": {
            CheckInResult.ADMITTED: _("Welcome them in."),
            CheckInResult.REVOKED: _("This registration was cancelled: the ticket is void."),
            CheckInResult.UNKNOWN_TICKET: _("This ticket names nobody registered for this day."),
            CheckInResult.INVALID_TICKET: _(
                "This is not a valid ticket: it is damaged, mistyped or forged."
            ),
            CheckInResult.WRONG_EDITION: _("This ticket is for another day."),
            CheckInResult.NOT_OPEN: _("Check-in opens on %(moment)s."),
            CheckInResult.ID_MISMATCH: _("The refusal is recorded."),
            CheckInResult.NOT_REGISTERED_HERE: _(
                "This person holds no seat in the workshop “%(workshop)s”."
            ),
        },
        "workshop_door": _("Door of the workshop “%(title)s”"),
        "admitted_by": _("First admitted at %(time)s, %(entrance)s, by %(agent)s."),
        "admitted_here": _("First admitted on this device at %(time)s, %(entrance)s."),
        "admitted_before": _("Admitted before this device's last download of the list."),
        "decided_offline": _(
            "Decided on this device without the network: it is sent to the server when the "
            "network is back."
        ),
        "not_on_device": _(
            "Valid ticket, but this name is not on this device yet: check the ID against the "
            "printed ticket."
        ),
        "person_name": pgettext("first name, last name", "%(first)s %(last)s"),
        "no_organisation": _("No organisation"),
        "unknown_person": _("Name not on this device"),
        "sync": {
            "offline": _plural(
                gettext_noop("Offline — %(count)s admission waiting to sync"),
                gettext_noop("Offline — %(count)s admissions waiting to sync"),
            ),
            "online": _plural(
                gettext_noop("Online — %(count)s admission waiting to sync"),
                gettext_noop("Online — %(count)s admissions waiting to sync"),
            ),
            "synced": _("Online — every scan is synced"),
        },
        "search": _plural(
            gettext_noop("%(count)s person found"),
            gettext_noop("%(count)s people found"),
        ),
        "search_none": _("Nobody on the list matches this name."),
        "search_more": _("Only the first %(count)s are shown: type more of the name."),
        "search_admitted": _("already admitted"),
        "count_pending": _plural(
            gettext_noop("%(count)s person admitted, %(pending)s of them waiting to sync"),
            gettext_noop("%(count)s people admitted, %(pending)s of them waiting to sync"),
        ),
        "report": _(
            "%(name)s: %(local)s on this device at %(time)s; the server answered: %(server)s"
        ),
        "report_rejected": _("%(name)s: the scan of %(time)s was not accepted by the server."),
        "logout_pending": _plural(
            gettext_noop("%(count)s scan is not synced yet: logging out now deletes it."),
            gettext_noop("%(count)s scans are not synced yet: logging out now deletes them."),
        ),
        "no_entrance": _("This day has no entrance yet: an organiser adds them first."),
        "no_data": _(
            "This device holds no list for this day yet: connect it to the network once, "
            "then reload the page."
        ),
        "closed": _("This day is over: the check-in data this device kept was deleted."),
        "denied": _(
            "You may no longer check in for this day, or your session ended: the check-in data "
            "this device kept for it was deleted. Log in again to go on."
        ),
        "denied_pending": _plural(
            gettext_noop(
                "%(count)s scan not synced yet is kept on this device: it is sent as soon as an "
                "agent of this day logs in on it."
            ),
            gettext_noop(
                "%(count)s scans not synced yet are kept on this device: they are sent as soon as "
                "an agent of this day logs in on it."
            ),
        ),
        "logged_out_offline": _(
            "The check-in data of this device was deleted. Connect to the network to finish "
            "logging out."
        ),
        "camera_errors": {
            "insecure_context": _(
                "The camera needs the app on a secure (https) address: type the ticket code "
                "or search the name."
            ),
            "unsupported": _(
                "This browser cannot use the camera: type the ticket code or search the name."
            ),
            "permission_denied": _(
                "The camera is not allowed for this site: allow it in the browser's settings, "
                "or type the ticket code or search the name."
            ),
            "no_camera": _("No camera was found: type the ticket code or search the name."),
            "camera_busy": _(
                "The camera could not start (another app may be using it): type the ticket "
                "code or search the name."
            ),
        },
        "error": _("Something went wrong on this device. Reload the page."),
        "rehearsal_over": _(
            "The rehearsal is over: what this device kept of it was deleted. Reload the page "
            "to check in for real on the day."
        ),
        "code": {
            **{key: str(message) for key, message in codes.MESSAGES.items()},
            "unknown": _("This code names nobody registered for this day."),
            "unknown_offline": _(
                "This code names nobody on this device's list. If the ticket is recent, search "
                "the name."
            ),
            "several": _(
                "On this device, this code may be one of these people: choose the one whose ID "
                "you hold."
            ),
        },
    }


def config(request, edition):
    """What the app's scripts need to know: addresses, names of cookies, the time zone."""
    return {
        "edition": edition.slug,
        "dataUrl": reverse("api:get_checkin_data", kwargs={"slug": edition.slug}),
        "checkinsUrl": reverse("api:create_checkin", kwargs={"slug": edition.slug}),
        "codeUrl": reverse("api:find_ticket_code", kwargs={"slug": edition.slug}),
        "badgeUrl": reverse("admission:badge_pdf", args=[edition.slug, 0]),
        "loginUrl": reverse("accounts:login") + "?" + urlencode({"next": request.path}),
        "csrfCookie": settings.CSRF_COOKIE_NAME,
        "timeZone": settings.TIME_ZONE,
        "language": get_language(),
        **shell_config(),
    }


def shell_config():
    """What every page of the app needs to work offline: its service worker and assets."""
    return {
        "serviceWorker": reverse("admission:checkin_service_worker"),
        "scope": SCOPE,
        "staticUrl": settings.STATIC_URL
        if settings.STATIC_URL.startswith("/")
        else "/" + settings.STATIC_URL,
        "assets": [static(path) for path in SHELL_ASSETS]
        + [static(path) for path, _size, _type in ICONS],
    }


@verified_login_required
@private
@require_safe
def pick(request):
    """The editions, today or later, where the user may check people in."""
    editions = list(
        permissions.editions_for(request.user, Action.CHECK_IN)
        .filter(date__gte=timezone.localdate())
        .select_related("venue")
        .order_by("date", "pk")
    )
    rehearsing = rehearsals.rehearsing(request.user, editions)
    for edition in editions:
        edition.rehearsal = edition.pk in rehearsing
    return render(
        request, "admission/checkin/pick.html", {"editions": editions, "shell": shell_config()}
    )


@verified_login_required
@private
@ensure_csrf_cookie
@require_safe
def app(request, slug):
    """The app for one edition; its scripts send the session's CSRF cookie to the API."""
    edition = get_object_or_404(Edition, slug=slug)
    permissions.require(request.user, Action.CHECK_IN, edition)
    return render(
        request,
        "admission/checkin/app.html",
        {
            "edition": edition,
            "strings": strings(),
            "config": config(request, edition),
            "rehearsal": rehearsals.for_agent(edition, request.user),
        },
    )


@require_safe
def service_worker(request):
    """The service worker, from the app's own address so that its scope is the app's.

    No login: it holds no data, and a logged-out device must still be able to update it.
    ``no-cache``: the browser checks for a new version at every visit.
    """
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = SCOPE
    return response


@require_safe
def manifest(request):
    """The web app manifest: what a phone needs to install the app on its home screen."""
    data = {
        "id": SCOPE,
        "name": _("Journées PTCE check-in"),
        "short_name": _("Check-in"),
        "description": _("Scan tickets and admit people at the door, also without network."),
        "lang": get_language(),
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": static(path), "sizes": sizes, "type": mime, "purpose": "any"}
            for path, sizes, mime in ICONS
        ],
    }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-cache"
    return response
