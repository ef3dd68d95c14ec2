"""Scan times outside their window set to the time the server received the scan.

Before the API checked a scan's device time, one absurd value (``0001-01-01T00:00:00``) was
stored as a moment before year 1 that psycopg cannot read back, and every page reading that
scan failed from then on. Such times, and any outside the window the API now accepts (the
edition's day, 12 hours either side, at most 10 minutes after reception: the values of
``admission.checkin.scan_window`` when this was written), become the reception time. Each
edition's repairs are one line of the audit log, with the original values as the database
wrote them.

The bad values are never read as datetimes: only as text, and compared by the database.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

PARIS = ZoneInfo("Europe/Paris")
MARGIN = dt.timedelta(hours=12)
AHEAD = dt.timedelta(minutes=10)


def _window(date):
    opens = dt.datetime.combine(date, dt.time(0), tzinfo=PARIS)
    closes = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
    return opens - MARGIN, closes + MARGIN


def _readable(text):
    """The moment ``text`` names, if Python can read it ("…+00" on PostgreSQL, naive UTC on
    SQLite); None for what it cannot (a year before 1, "BC")."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def repair(apps, schema_editor):
    CheckIn = apps.get_model("admission", "CheckIn")
    Edition = apps.get_model("events", "Edition")
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    table = schema_editor.quote_name(CheckIn._meta.db_table)
    connection = schema_editor.connection
    editions = Edition.objects.filter(
        pk__in=CheckIn.objects.values("edition_id").distinct()
    ).values_list("pk", "date")
    for edition_id, date in editions:
        earliest, latest = _window(date)
        with connection.cursor() as cursor:
            # Candidates, compared by the database: outside the day, or ahead of reception.
            cursor.execute(
                f"SELECT id, CAST(scanned_at AS TEXT) FROM {table} "
                "WHERE edition_id = %s AND (scanned_at < %s OR scanned_at > %s "
                "OR scanned_at > received_at)",
                [
                    edition_id,
                    connection.ops.adapt_datetimefield_value(earliest),
                    connection.ops.adapt_datetimefield_value(latest),
                ],
            )
            candidates = cursor.fetchall()
        received = dict(
            CheckIn.objects.filter(pk__in=[pk for pk, _ in candidates]).values_list(
                "pk", "received_at"
            )
        )
        repaired = []
        for pk, text in candidates:
            moment = _readable(text)
            if moment is not None and earliest <= moment <= latest:
                if moment <= received[pk] + AHEAD:
                    continue
            repaired.append({"id": pk, "scanned_at": text})
        if not repaired:
            continue
        for row in repaired:
            CheckIn.objects.filter(pk=row["id"]).update(scanned_at=received[row["id"]])
        AuditEntry.objects.create(
            actor="system",
            action="repair",
            edition_id=edition_id,
            what="Check-in times out of range set to their reception time",
            people=0,
            detail={"checkins": repaired},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_repair"),
        ("admission", "0004_checkin_request_digest"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
