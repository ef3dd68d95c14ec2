"""The ``ptce`` command: every management command, with the project's settings."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce.settings")
    # Imported once the settings are named.
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ptce", *sys.argv[1:]])


if __name__ == "__main__":
    main()
