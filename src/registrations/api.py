"""Registrations as JSON: register, list and cancel (organisers), and public availability."""

from ninja import Router

router = Router(tags=["registrations"])
