"""Where applied migrations (events 0006, network 0004, charter 0002) found the date fields,
which now live in the kernel (:mod:`common.moments`). Migrations are never edited; new code
imports ``common.moments``."""

from common.moments import DateField, DateTimeField

__all__ = ["DateField", "DateTimeField"]
