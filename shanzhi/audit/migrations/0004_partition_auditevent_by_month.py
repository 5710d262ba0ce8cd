"""PostgreSQL: audit_auditevent becomes a table partitioned by month (issue 20; shanzhi.audit.partitioning).

The existing table is attached as it is as the partition of everything before next month (no copy); the months
ahead get partitions, kept ahead by the daily job "partitions.create". A no-op on SQLite."""

from django.db import migrations

from shanzhi.audit import partitioning


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("audit", "0003_truncate_trigger")]
    operations = [partitioning.operation("audit_auditevent")]
