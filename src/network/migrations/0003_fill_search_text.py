from django.db import migrations


def fill_search_text(apps, schema_editor):
    # Organisations created before search_text existed get it, so that the directory's and the
    # API's accent-insensitive search finds them.
    from network.models import fold

    Organisation = apps.get_model("network", "Organisation")
    for organisation in Organisation.objects.only("pk", "name", "town").iterator():
        Organisation.objects.filter(pk=organisation.pk).update(
            search_text=fold(f"{organisation.name} {organisation.town}")
        )


class Migration(migrations.Migration):
    dependencies = [("network", "0002_poles")]

    operations = [migrations.RunPython(fill_search_text, migrations.RunPython.noop)]
