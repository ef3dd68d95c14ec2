"""The forms of an edition's materials: a file, a link, and the change of either (the file
itself is not replaced: delete it and add the new one)."""

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from common.forms import EditForm, https_by_default
from events import materials
from events.models import Material, MaterialKind, Session

COMMON_FIELDS = ("session", "title", "description", "publication", "position")


class _MaterialForm(EditForm):
    #: What the form adds (None: it changes an existing material, of its own kind).
    kind = None

    class Meta:
        model = Material
        fields = COMMON_FIELDS
        formfield_callback = https_by_default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        session = self.fields["session"]
        session.queryset = Session.objects.filter(edition=self.instance.edition).order_by(
            "start_time", "pk"
        )
        session.empty_label = _("None: a material of the whole day")
        self.fields["position"].help_text = _("Smaller numbers come first.")
        if (self.kind or self.instance.kind) == MaterialKind.FILE:
            self.fields["description"].required = True


class MaterialChangeForm(_MaterialForm):
    """A file's title, description, session, publication and position."""


class MaterialFileForm(_MaterialForm):
    kind = MaterialKind.FILE
    upload = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, PNG, JPEG or WebP image, PowerPoint (PPTX) or OpenDocument (ODP) slides. "
            "Images are reduced to 1,600 pixels wide and stored without their metadata."
        ),
    )

    class Meta(_MaterialForm.Meta):
        fields = ("session", "upload", "title", "description", "publication", "position")

    def __init__(self, *args, sent_file_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        #: The files' names as the browser sent them, before Django kept their last part.
        self.sent_file_names = sent_file_names

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        for name in self.sent_file_names:
            materials.check_name(name)
        self.checked = materials.check(upload)
        return upload

    def save(self, commit=True):
        material = super().save(commit=False)
        checked = self.checked
        material.kind = MaterialKind.FILE
        material.file = checked.content
        material.file_name = checked.file_name
        material.content_type = checked.kind.content_type
        material.size = checked.size
        if commit:
            material.save()
        return material


class MaterialLinkForm(_MaterialForm):
    kind = MaterialKind.LINK

    class Meta(_MaterialForm.Meta):
        fields = ("session", "url", "title", "description", "publication", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = self.fields["url"]
        url.required = True
        url.help_text = _("A video, a replay, an external page: its https:// address.")
        url.validators.append(
            URLValidator(
                schemes=["http", "https"],
                message=_("Give an address starting with https:// or http://."),
            )
        )

    def save(self, commit=True):
        material = super().save(commit=False)
        material.kind = MaterialKind.LINK
        if commit:
            material.save()
        return material
