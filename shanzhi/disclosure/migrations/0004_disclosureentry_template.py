import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0003_publishing_schedule"),
        ("replies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="disclosureentry",
            name="template",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="replies.responsetemplate", verbose_name="答复模板"),
        ),
    ]
