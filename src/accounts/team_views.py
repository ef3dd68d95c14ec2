"""The team pages: who has a role in the organisations one manages, inviting someone,
withdrawing a role; and the invitation link's page, where the invited person chooses a
password.

The team pages need a login (anonymous visitors go to the login page) and ``manage`` on an
organisation as a whole (``permissions.organisations_for(user, Action.MANAGE)``); others get
the 403 page. Each organiser sees and changes only the organisations they manage.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import invitation_links, invitations, permissions, second_factor
from accounts.invitations import InvitationRefused
from accounts.models import Membership
from accounts.team_forms import InviteForm
from common.decorators import organiser_page, secret_address
from common.errors import rate_limited
from common.permissions import Action
from common.ratelimits import over_limit, over_rate

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
                return redirect("team:members")
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
            return redirect("team:members")
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
        return redirect("organiser:home")
    return render(request, "accounts/team/accept.html", {"form": form, "invited": check.user})
