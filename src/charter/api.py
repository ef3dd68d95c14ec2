"""The charter as JSON: its versions and their signatures (public)."""

from ninja import Router

router = Router(tags=["charter"])
