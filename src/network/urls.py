from django.urls import path

from network import manage_views, views

app_name = "network"

urlpatterns = [
    # Public directory and map (views.py).
    path("poles/", views.directory, name="directory"),
    path("poles/carte/", views.map_page, name="map"),
    path("poles/<slug:slug>/", views.pole, name="pole"),
    # Organisers: import and export of the directory (manage_views.py).
    path("annuaire/import/", manage_views.import_poles, name="import"),
    path("annuaire/export.csv", manage_views.export_poles, name="export"),
]
