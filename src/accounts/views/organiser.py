"""Organiser pages of the accounts app: the team and its invitations, API tokens, the audit
log."""

import csv
import io

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import invitation_links, invitations, permissions, second_factor, tokens
from accounts.enums import AuditAction
from accounts.invitations import InvitationRefused
from accounts.models import ApiToken, AuditEntry, Membership
from accounts.team_forms import AuditFilterForm, InviteForm, TokenForm
from accounts.tokens import TokenRefused
from common import spreadsheets
from common.decorators import organiser_page, secret_address
from common.errors import rate_limited
from common.permissions import Action
from common.ratelimits import over_limit, over_rate
from network.directory import can_manage_directory

# The team ----------------------------------------------------------------------------------
#
# The team pages: who has a role in the organisations one manages, inviting someone,
# withdrawing a role; and the invitation link's page, where the invited person chooses a
# password.
#
# The team pages need a login (anonymous visitors go to the login page) and ``manage`` on an
# organisation as a whole (``permissions.organisations_for(user, Action.MANAGE)``); others get
# the 403 page. Each organiser sees and changes only the organisations they manage.


_LINK_PROBLEMS = {"invalid": 404, "expired": 410, "used": 410}


def _managed(user):
    """The organisations ``user`` manages, that have a team or organise a day; 403 if none."""
    organisations = (
        permissions.organisations_for(user, Action.MANAGE)
        .filter(Q(memberships__isnull=False) | Q(organised_editions__isnull=False))
        .distinct()
        .order_by("name")
    )
    if not permissions.on_any_organisation(user, Action.MANAGE):
        raise PermissionDenied
    return organisations


@organiser_page
@require_http_methods(["GET", "HEAD"])
def members(request):
    organisations = list(_managed(request.user))
    memberships = (
        Membership.objects.filter(organisation__in=organisations)
        .select_related("user", "edition")
        .order_by("user__username", "role", "edition__date")
    )
    by_organisation = {organisation.pk: [] for organisation in organisations}
    for membership in memberships:
        by_organisation[membership.organisation_id].append(membership)
    teams = [(organisation, by_organisation[organisation.pk]) for organisation in organisations]
    return render(request, "accounts/team/members.html", {"teams": teams})


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def invite(request):
    organisations = _managed(request.user)
    initial = {"organisation": organisations.filter(slug=request.GET.get("organisation")).first()}
    form = InviteForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST":
        if limited := over_limit(request, "invitation_send", key="user"):
            return rate_limited(request, limited=limited)
        if form.is_valid():
            try:
                invited = invitations.invite(
                    request.user, language=get_language(), **form.cleaned_data
                )
            except InvitationRefused as refused:
                form.add_error(None, refused)
            else:
                message = (
                    _("Invitation sent to %(email)s: the role applies once they chose a password.")
                    if invited.new_account
                    else _("Role given to %(email)s, who was told by email.")
                )
                messages.success(request, message % {"email": form.cleaned_data["email"]})
                return redirect("accounts:team")
    return render(request, "accounts/team/invite.html", {"form": form})


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, pk):
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation", "edition"), pk=pk
    )
    permissions.require(request.user, Action.MANAGE, membership.organisation)
    refusal = None
    if request.method == "POST":
        try:
            invitations.withdraw(request.user, membership)
        except InvitationRefused as refused:
            refusal = refused.message
        else:
            messages.success(
                request,
                _("%(username)s no longer has this role.")
                % {"username": membership.user.get_username()},
            )
            return redirect("accounts:team")
    return render(
        request,
        "accounts/team/withdraw.html",
        {"membership": membership, "refusal": refusal},
        status=409 if refusal else 200,
    )


@secret_address(referrer="same-origin")
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request, token):
    if limited := over_rate(request, "invitation"):
        return rate_limited(request, limited=limited)
    check = invitation_links.check_link(token)
    if check.user is None:
        return render(
            request,
            "accounts/team/link_problem.html",
            {"problem": check.problem, "days": invitation_links.LINK_MAX_AGE.days},
            status=_LINK_PROBLEMS[check.problem],
        )
    form = SetPasswordForm(check.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = invitations.accept(form)
        login(request, user)
        # The password was just chosen: enrolling in two factors next asks for it no more.
        second_factor.note_authentication(request)
        messages.success(request, _("Welcome! Your password is set."))
        # An organiser is sent on from there to set up two-factor authentication.
        return redirect("organiser_home")
    return render(request, "accounts/team/accept.html", {"form": form, "invited": check.user})


# API tokens --------------------------------------------------------------------------------
#
# The API token pages: one's own tokens (make one, see them, revoke one) and, for an
# organiser who manages an organisation, the tokens of that organisation's people.
#
# Every page needs a login (anonymous visitors go to the login page). One's own tokens need a
# role somewhere (else 403); the team's tokens need ``manage`` on an organisation as a whole.
# A new token's secret is shown once, on the page that answers the form, and never again: only
# its digest is kept.


def _labelled(token_list):
    token_list = list(token_list)
    for token in token_list:
        token.scope_labels = tokens.scope_labels(token)
    return token_list


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def own_tokens(request):
    if not tokens.grantable_actions(request.user):
        raise PermissionDenied
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = tokens.create(
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                edition=form.cleaned_data["edition"],
            )
        except TokenRefused as refused:
            form.add_error(None, refused)
        else:
            # Shown on this answer only (a private page, kept by no cache), never again.
            token.scope_labels = tokens.scope_labels(token)
            return render(request, "accounts/tokens/created.html", {"token": token, "raw": raw})
    own = request.user.api_tokens.select_related("edition")
    return render(
        request,
        "accounts/tokens/list.html",
        {
            "form": form,
            "tokens": _labelled(own),
            "can_see_team": permissions.on_any_organisation(request.user, Action.MANAGE),
        },
        status=400 if form.is_bound else 200,
    )


@organiser_page
@require_http_methods(["GET", "HEAD"])
def team_tokens(request):
    if not permissions.on_any_organisation(request.user, Action.MANAGE):
        raise PermissionDenied
    team = tokens.member_tokens(request.user).order_by("user__username", "-created_at")
    return render(request, "accounts/tokens/team.html", {"tokens": _labelled(team)})


@organiser_page
@require_http_methods(["GET", "HEAD", "POST"])
def revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.select_related("user", "edition"), pk=pk)
    if not tokens.may_revoke(request.user, token):
        raise PermissionDenied
    back = "accounts:tokens" if token.user_id == request.user.pk else "accounts:team_tokens"
    if request.method == "POST":
        tokens.revoke(token, by=request.user)
        messages.success(
            request, _("The token %(hint)s… is revoked: it no longer works.") % {"hint": token.hint}
        )
        return redirect(back)
    token.scope_labels = tokens.scope_labels(token)
    return render(request, "accounts/tokens/revoke.html", {"token": token, "back": back})


# The audit log -----------------------------------------------------------------------------
#
# The audit log pages: an edition's lines, and the organisers' whole log; each as a
# paginated page (newest first, filterable by action) and as CSV.
#
# - ``journees/<slug>/gestion/journal/``: the lines about one edition; ``manage`` on it.
# - ``gestion/journal/``: the lines about no edition (tokens, roles, accounts) and those of
#   every edition the user manages; for those who keep the national directory
#   (``network.directory.can_manage_directory``: superusers and organisers of an organisation).
#
# Anonymous visitors go to the login page, others get the 403 page. Each page makes the same
# few queries whatever the size of the log.


PAGE_SIZE = 50


def _filtered(request, entries):
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    if action:
        entries = entries.filter(action=action)
    return form, entries, {"action": action} if action else {}


def _page(request, entries, template, context):
    form, entries, query = _filtered(request, entries)
    page = Paginator(entries.select_related("edition"), PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.action_label = AuditAction(entry.action).label
    return render(
        request,
        template,
        {**context, "form": form, "page": page, "query": urlencode(query)},
    )


def _csv(request, entries, filename):
    _form, entries, _query = _filtered(request, entries)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("When"), _("Who"), _("Action"), _("Edition"), _("What"), _("Number of people")]
    )
    for entry in entries.select_related("edition").iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(entry.at).isoformat(timespec="seconds"),
                spreadsheets.neutralise(entry.actor),
                entry.action,
                spreadsheets.neutralise(entry.edition.slug if entry.edition_id else ""),
                spreadsheets.neutralise(entry.what),
                entry.people,
            ]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _edition_entries(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    return edition, AuditEntry.objects.filter(edition=edition)


def _all_entries(user):
    if not can_manage_directory(user):
        raise PermissionDenied
    entries = AuditEntry.objects.all()
    if not user.is_superuser:
        managed = permissions.editions_for(user, Action.MANAGE)
        entries = entries.filter(Q(edition__isnull=True) | Q(edition__in=managed))
    return entries


@organiser_page
@require_safe
def edition_log(request, slug):
    edition, entries = _edition_entries(request, slug)
    return _page(request, entries, "accounts/audit/edition.html", {"edition": edition})


@organiser_page
@require_safe
def edition_log_csv(request, slug):
    edition, entries = _edition_entries(request, slug)
    return _csv(request, entries, f"journal-{edition.slug}.csv")


@organiser_page
@require_safe
def log(request):
    return _page(request, _all_entries(request.user), "accounts/audit/log.html", {})


@organiser_page
@require_safe
def log_csv(request):
    return _csv(request, _all_entries(request.user), "journal.csv")
