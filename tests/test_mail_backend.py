"""The e-mail backend of `make run` (no EMAIL_URL): each message its own ``.eml`` file."""

import email
from email import policy

from django.core import mail

from common.mail import EmlFileBackend


def read(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_each_message_is_one_complete_eml_file_that_a_mail_client_reads(tmp_path):
    folder = tmp_path / "mail" / "not yet made"
    messages = [
        mail.EmailMessage("Votre inscription", f"Bonjour {name},", "noreply@example.org", [address])
        for name, address in [("Zoé", "zoe@example.org"), ("Élise", "elise@example.org")]
    ]

    sent = EmlFileBackend(file_path=folder).send_messages(messages)

    files = sorted(folder.iterdir())
    assert sent == 2
    assert [path.suffix for path in files] == [".eml", ".eml"]
    received = sorted((read(path)["To"], read(path).get_content().strip()) for path in files)
    assert received == [
        ("elise@example.org", "Bonjour Élise,"),
        ("zoe@example.org", "Bonjour Zoé,"),
    ]
    # Lines end as on the wire, so that any mail client opens the file.
    assert all(b"\r\n" in path.read_bytes() for path in files)


def test_the_folder_defaults_to_email_file_path(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "boite"

    EmlFileBackend().send_messages(
        [mail.EmailMessage("Sujet", "Texte", "noreply@example.org", ["a@example.org"])]
    )

    (path,) = (tmp_path / "boite").iterdir()
    assert read(path)["Subject"] == "Sujet"
