"""The public directory of the poles, a pole's page and the map.

All public: poles are organisations, never people. Bad filters in an address are reported on
the page and ignored; the pages cost the same number of queries whatever they list.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from network import directory as directory_rules
from network import map as pole_map
from network import pole_sections, territories
from network.models import Pole, Sector


def directory(request):
    sectors = list(Sector.objects.values_list("slug", "name"))
    form = directory_rules.DirectoryForm(request.GET, sectors=sectors)
    filters = form.filters()
    poles = directory_rules.filter_poles(Pole.objects.for_directory(), **filters)
    # get_page() turns a page number that is not one, or out of range, into the first or the
    # last page rather than an error.
    page = Paginator(poles, directory_rules.PAGE_SIZE).get_page(request.GET.get("page"))
    entries = directory_rules.entries(page.object_list, filters["period"])
    return render(
        request,
        "network/directory.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "is_filtered": any(name != "period" for name in filters),
            "query": form.query(),
            "has_fictional": any(entry.pole.organisation.is_fictional for entry in entries),
            "attribution": territories.attribution(),
            "can_manage_directory": directory_rules.can_manage_directory(request.user),
        },
    )


def pole(request, slug):
    pole = get_object_or_404(directory_rules.poles_for_page(), organisation__slug=slug)
    page = directory_rules.pole_page(pole)
    return render(
        request,
        "network/pole.html",
        {
            "pole": pole,
            "organisation": pole.organisation,
            "page": page,
            "has_fictional": pole.organisation.is_fictional
            or any(m.organisation.is_fictional for _label, group in page.members for m in group),
            "attribution": territories.attribution(),
            "vintage": territories.VINTAGE,
            "sections": pole_sections.sections(pole.organisation),
        },
    )


def map_page(request):
    form = pole_map.MapForm(request.GET)
    form.is_valid()
    period = form.cleaned_data.get("period") or territories.CURRENT
    if form.cleaned_data.get("by") == "region":
        data = pole_map.region_map(period)
    else:
        data = pole_map.department_map()
    return render(
        request,
        "network/map.html",
        {
            "map": data,
            "errors": [error for errors in form.errors.values() for error in errors],
            "attribution": territories.attribution(),
        },
    )
