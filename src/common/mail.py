"""Emails: how every app writes one, and the default backend.

:func:`render_email` makes every email of the site from its three templates. The default
backend writes each message as its own ``.eml`` file: Django's file backend appends every
message of a process to one ``.log`` file; one file a message can be opened by any mail
client, and read back by the tests.
"""

import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone


def render_email(template, context, *, language, attachments=()):
    """The email written by ``<template>_subject.txt``, ``<template>.txt`` and
    ``<template>.html`` with ``context``, in ``language`` (the active one, said in its
    ``Content-Language``), with ``attachments`` (``(filename, content, mimetype)``).

    The subject is one line (a header never spans lines, whatever a name in it holds); in the
    text, optional parts leave at most one blank line in a row. No recipient: the outbox
    sets it.
    """
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    # Line breaks only: the other spaces are the words' (a no-break space before a colon).
    subject = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", subject)
    text = re.sub(r"\n{3,}", "\n\n", render_to_string(f"{template}.txt", context)).strip()
    email = EmailMultiAlternatives(
        subject=subject, body=text + "\n", headers={"Content-Language": language}
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        email.attach(filename, content, mimetype)
    return email


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *, file_path=None, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages):
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
            path = self.directory / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(message.message().as_bytes(linesep="\r\n"))
            # A reader never sees half a message: the rename is atomic.
            temporary.replace(path)
            sent += 1
        return sent
