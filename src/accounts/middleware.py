"""The second factor, on every page that asks for it."""

from accounts import second_factor


class SecondFactorMiddleware:
    """Sends a session that :func:`~accounts.second_factor.needs_verification` to the code
    page (or to enrolment) from any view marked by
    :func:`common.decorators.verified_login_required`. Anonymous visitors pass: the view's
    login check sends them to the login page first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if getattr(view, "second_factor_required", False) and second_factor.needs_verification(
            request
        ):
            return second_factor.verification_redirect(request)
        return None
