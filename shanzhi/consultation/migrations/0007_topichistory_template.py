import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0006_alter_evaluationsurvey_kind"),
        ("replies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="topichistory",
            name="template",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="replies.responsetemplate", verbose_name="答复模板"),
        ),
    ]
