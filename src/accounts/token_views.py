"""The API token pages: one's own tokens (make one, see them, revoke one) and, for an
organiser who manages an organisation, the tokens of that organisation's people.

Every page needs a login (anonymous visitors go to the login page). One's own tokens need a
role somewhere (else 403); the team's tokens need ``manage`` on an organisation as a whole.
A new token's secret is shown once, on the page that answers the form, and never again: only
its digest is kept.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions, tokens
from accounts.models import ApiToken
from accounts.team_forms import TokenForm
from accounts.tokens import TokenRefused
from common.decorators import organiser_page
from common.permissions import Action


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
    back = "team:tokens" if token.user_id == request.user.pk else "team:team_tokens"
    if request.method == "POST":
        tokens.revoke(token, by=request.user)
        messages.success(
            request, _("The token %(hint)s… is revoked: it no longer works.") % {"hint": token.hint}
        )
        return redirect(back)
    token.scope_labels = tokens.scope_labels(token)
    return render(request, "accounts/tokens/revoke.html", {"token": token, "back": back})
