"""The monthly reports every community files (人口变动、民情统计、志愿服务); departments add their own on the
报表种类 page."""

from django.db import migrations

KINDS = [
    ("population", "人口情况月报", "公安、民政",
     ["registry.persons", "registry.households", "registry.floating", "registry.care_elderly_alone"]),
    ("cases", "民情统计月报", "区社会治理中心",
     ["cases.reported", "cases.closed", "cases.open", "cases.overdue", "cases.on_time_rate"]),
    ("volunteering", "志愿服务月报", "区文明办",
     ["volunteering.volunteers", "volunteering.hours", "volunteering.points"]),
]


def seed(apps, schema_editor):
    ReportKind = apps.get_model("reporting", "ReportKind")
    for key, name, by, indicators in KINDS:
        ReportKind.objects.get_or_create(key=key, defaults={"name": name, "requested_by": by,
                                                            "indicators": indicators})


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
