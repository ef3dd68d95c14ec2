"""An edition's materials: files and links attached to a session or to the day itself
(:mod:`events.materials` checks the files).

The organiser pages, under ``journees/<slug>/gestion/programme/documents/``, need
``edit_content`` on the edition, as the programme's (organisers and editors). The file
itself is served by :func:`material`, from the storage (``STORAGES["default"]``): to anyone
once the material is visible on a public edition, else only to the people who prepare it.
"""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from common.decorators import organiser_page
from common.permissions import Action, get_allowed
from events import edit_pages, materials
from events.edit_pages import edit_context
from events.material_forms import MaterialChangeForm, MaterialFileForm, MaterialLinkForm
from events.models import Edition, Material, MaterialKind

# Serving a file ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def material(request, slug, pk, name):
    item = get_object_or_404(
        Material.objects.select_related("edition"),
        edition__slug=slug,
        pk=pk,
        kind=MaterialKind.FILE,
    )
    edition = item.edition
    prepares = request.user.has_perm(Action.EDIT_CONTENT, edition)
    public = edition.is_public and item.is_visible()
    if not (public or prepares) or name != item.file_name:
        raise Http404
    try:
        stream = default_storage.open(item.file.name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    kind = materials.kind_of(item.content_type)
    response = FileResponse(stream, content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not (kind and kind.inline), filename=item.file_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    if item.content_type == "application/pdf":
        # A PDF may carry scripts: the browser's viewer runs it apart from the site.
        response["Content-Security-Policy"] = "sandbox"
    if not public:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def shown(items, now=None):
    """The materials of ``items`` that visitors see at ``now`` (their edition loaded)."""
    now = now or timezone.now()
    return [item for item in items if item.is_visible(now)]


# The organisers' pages ---------------------------------------------------------------------


@organiser_page
@require_http_methods(["GET"])
def material_list(request, slug):
    edition = get_allowed(request.user, Action.EDIT_CONTENT, Edition, slug=slug)
    items = list(
        Material.objects.filter(edition=edition)
        .select_related("session")
        .order_by("session__start_time", "session_id", "position", "pk")
    )
    for item in items:
        item.edition = edition
    return render(
        request,
        "events/edit/materials.html",
        edit_context(
            request.user,
            edition,
            day_materials=[item for item in items if item.session_id is None],
            session_materials=[item for item in items if item.session_id is not None],
            current="programme",
        ),
    )


class _MaterialObject:
    model = Material
    list_url = "events:material_list"
    current = "programme"


class MaterialFileAdd(_MaterialObject, edit_pages.AddView):
    form_class = MaterialFileForm
    title, submit = _lazy("Add a file"), _lazy("Add this file")
    saved = _lazy("The file is added.")
    intro = _lazy(
        "Every file has a title and a description of what it shows or contains, read by "
        "people who cannot see it."
    )

    def get_initial(self):
        return {"session": self.request.GET.get("seance") or None}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            # As sent, before Django kept their last part (common.middleware).
            "sent_file_names": getattr(self.request, "sent_file_names", [])
        }

    def save(self, form):
        form.instance.created_by = self.request.user
        return super().save(form)


class MaterialLinkAdd(_MaterialObject, edit_pages.AddView):
    form_class = MaterialLinkForm
    title, submit = _lazy("Add a link"), _lazy("Add this link")
    saved = _lazy("The link is added.")
    intro = _lazy("A video, the replay of a stream, an external page.")

    def save(self, form):
        form.instance.created_by = self.request.user
        return super().save(form)


class MaterialChange(_MaterialObject, edit_pages.ChangeView):
    title, submit = _lazy("Change a material"), _lazy("Save")
    saved = _lazy("The material is saved.")
    delete_url = "events:material_delete"
    intro = _lazy("To replace a file, delete it and add the new one.")

    def get_form_class(self):
        return MaterialLinkForm if self.object.kind == MaterialKind.LINK else MaterialChangeForm


class MaterialDelete(_MaterialObject, edit_pages.DeleteView):
    explanation = _lazy("It leaves the programme and the day's page; a file is deleted too.")
    deleted = _lazy("The material is deleted.")

    def title(self, item):
        return _("Delete “%(title)s”?") % {"title": item.title}

    def form_valid(self, form):
        pk, name = self.object.pk, self.object.file.name
        response = super().form_valid(form)
        # The row is gone (not kept by other data): its file goes too.
        if name and not Material.objects.filter(pk=pk).exists():
            default_storage.delete(name)
        return response


material_file_add = organiser_page(MaterialFileAdd.as_view())
material_link_add = organiser_page(MaterialLinkAdd.as_view())
material_edit = organiser_page(MaterialChange.as_view())
material_delete = organiser_page(MaterialDelete.as_view())
