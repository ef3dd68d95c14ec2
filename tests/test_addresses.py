"""Every address that visitors, organisers and API clients use, against the list kept in
``tests/data/addresses.txt``: the URL configuration's routes and the API's operations with
their methods.

Views, URL names and namespaces may move (issue 15); an address may not, since links in
emails already sent, bookmarks and API clients use it. A change here is on purpose or a
mistake: if on purpose, change the list in the same commit and say why.
"""

from pathlib import Path

from ptce.api import api
from tests import routes

ADDRESSES = Path(__file__).parent / "data" / "addresses.txt"
# Django's own admin pages: Django's addresses, listed by their root only.
ADMIN_ROOT = "/admin/"


def addresses():
    """Each route as ``/<route>``; each API operation as ``METHOD /api/v1/...``."""
    paths = {f"/{routes.route(pieces)}" for _name, pieces in routes.walk()}
    paths = {ADMIN_ROOT if path.startswith(ADMIN_ROOT) else path for path in paths}
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    return sorted(paths) + sorted(operations)


def test_every_address_is_the_one_listed():
    listed = [line for line in ADDRESSES.read_text().splitlines() if line]
    current = addresses()

    gone = sorted(set(listed) - set(current))
    new = sorted(set(current) - set(listed))
    assert (gone, new) == ([], []), (
        f"addresses gone: {gone}; new: {new}. If on purpose, update {ADDRESSES.name}."
    )
    assert listed == current, f"keep {ADDRESSES.name} in the order addresses() gives"
