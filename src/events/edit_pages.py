"""The organisers' editing pages of an edition, for every app: their layout (the edition and
its organisers' menu, :func:`edit_context`), a form page, a confirmation page, and the three
views that add, change and delete what belongs to an edition (the organisers' pages of
sessions, speakers, registration categories and entrances).

Each is one of Django's generic editing views with what every such page needs: the edition
from the address, the right ``action`` on it (else the 403 page), objects of that edition
only (else the 404 page), the shared editing page (``events/edit/form.html`` and
``delete.html``, under the organisers' menu), a message once saved, and the way back to the
page that lists them. An app subclasses them with its model, form and words; a page with more
to do (a quota raised fills seats, an entrance with scans stays) overrides :meth:`save` or
:meth:`refusal`. URLs wrap them in :func:`common.decorators.organiser_page`.
"""

from django.contrib import messages
from django.db import router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views import generic

from common.permissions import Action, get_allowed
from events.models import Edition


def edit_context(user, edition, **extra):
    """What every editing page of an edition shows: the edition and the editing menu."""
    return {
        "edition": edition,
        "can_manage": user.has_perm(Action.MANAGE, edition),
        **extra,
    }


def form_page(request, form, *, edition, title, submit, back, current, intro="", **extra):
    """Render the shared editing form page (``events/edit/form.html``)."""
    return render(
        request,
        "events/edit/form.html",
        edit_context(
            request.user,
            edition,
            form=form,
            page_title=title,
            submit_label=submit,
            back_url=back,
            current=current,
            intro=intro,
            **extra,
        ),
    )


def limit_raised(old, new):
    """Whether a limit (a capacity, quota or cap; empty: none) went up, which may free seats
    for the waiting list."""
    return old is not None and (new is None or new > old)


def promoted_message(request, promoted):
    """Tell the organiser how many waiting people a raised limit gave a seat to."""
    if promoted:
        messages.success(
            request,
            ngettext(
                "%(count)d person of the waiting list got a seat and is emailed.",
                "%(count)d people of the waiting list got a seat and are emailed.",
                len(promoted),
            )
            % {"count": len(promoted)},
        )


class EditionObjectMixin:
    #: What the user must be allowed on the edition.
    action = Action.EDIT_CONTENT
    #: The URL name of the page that lists the objects (its argument: the edition's slug).
    list_url = None
    #: The organisers' menu item the pages belong to.
    current = None
    #: A paragraph under the title of the form pages.
    intro = ""
    # As before CBVs: GET and POST only (405 otherwise, HEAD included).
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.edition = get_allowed(request.user, self.action, Edition, slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(edition=self.edition)

    def get_success_url(self):
        return reverse(self.list_url, args=[self.edition.slug])

    def page_context(self, **page):
        return edit_context(
            self.request.user,
            self.edition,
            back_url=self.get_success_url(),
            current=self.current,
            **page,
        )


class _FormView(EditionObjectMixin):
    template_name = "events/edit/form.html"
    #: The page's title, its button, and the message once saved.
    title = submit = saved = None

    def get_context_data(self, **kwargs):
        return self.page_context(
            **super().get_context_data(**kwargs),
            page_title=self.title,
            submit_label=self.submit,
            intro=self.intro,
            **self.extra_context_for_page(),
        )

    def extra_context_for_page(self):
        return {}

    def form_valid(self, form):
        return self.save(form)

    def save(self, form):
        """Save the form's object; then the message, and the list page."""
        self.object = form.save()
        messages.success(self.request, self.saved)
        return redirect(self.get_success_url())


class AddView(_FormView, generic.CreateView):
    """A new object of :attr:`model`, in the edition of the address."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.new_object()}

    def new_object(self):
        """The object the form fills: of the edition of the address (a page whose model
        belongs to the edition through another object says so here)."""
        return self.model(edition=self.edition)


class ChangeView(_FormView, generic.UpdateView):
    """One object of the edition; the page links to its deletion (:attr:`delete_url`)."""

    #: The URL name of its deletion page (arguments: the edition's slug, its pk).
    delete_url = None

    def extra_context_for_page(self):
        return {"delete_url": reverse(self.delete_url, args=[self.edition.slug, self.object.pk])}


def kept_by(obj):
    """How many rows of the database keep ``obj`` from being deleted (``PROTECT`` or
    ``RESTRICT`` foreign keys to it, or to what its deletion would take along); 0 when it
    may go. Finds them as the deletion would, without deleting anything."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
    try:
        collector.collect([obj])
    except ProtectedError as error:
        return len(error.protected_objects)
    except RestrictedError as error:
        return len(error.restricted_objects)
    return 0


class DeleteView(EditionObjectMixin, generic.DeleteView):
    """Asks first, then deletes one object of the edition, unless :meth:`refusal` says why
    not, or other data keeps it (:meth:`kept_by`): the list page then shows why. Data added
    meanwhile that keeps it is refused by the database, and said the same way."""

    template_name = "events/edit/delete.html"
    #: What the confirmation says will happen; the message once deleted.
    explanation = deleted = None

    def title(self, obj):
        raise NotImplementedError

    def refusal(self, obj):
        """Why ``obj`` may not be deleted, or None."""
        return None

    def kept_by(self, obj, count):
        """What to say when ``count`` rows of other data keep ``obj`` (a subclass names
        them)."""
        return ngettext(
            "It cannot be deleted: %(count)s other record depends on it.",
            "It cannot be deleted: %(count)s other records depend on it.",
            count,
        ) % {"count": count}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self._refused() or self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self._refused() or self.form_valid(self.get_form())

    def _refused(self):
        reason = self.refusal(self.object)
        if reason is None:
            count = kept_by(self.object)
            reason = self.kept_by(self.object, count) if count else None
        if reason is None:
            return None
        messages.error(self.request, reason)
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return self.page_context(
            **super().get_context_data(**kwargs),
            page_title=self.title(self.object),
            explanation=self.explanation,
        )

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object.delete()
        except ProtectedError as error:
            return self._kept(len(error.protected_objects))
        except RestrictedError as error:
            return self._kept(len(error.restricted_objects))
        messages.success(self.request, self.deleted)
        return redirect(self.get_success_url())

    def _kept(self, count):
        messages.error(self.request, self.kept_by(self.object, count))
        return redirect(self.get_success_url())
