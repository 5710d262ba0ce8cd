import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import shanzhi.cases.models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_partition_casehistory_by_month"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="casephoto",
            name="public_image",
            field=models.ImageField(blank=True, upload_to=shanzhi.cases.models._public_photo_path,
                                    verbose_name="公开照片（已打码）"),
        ),
        migrations.AddField(
            model_name="casephoto",
            name="regions",
            field=models.JSONField(blank=True, default=list, verbose_name="打码区域"),
        ),
        migrations.AddField(
            model_name="casephoto",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="审核时间"),
        ),
        migrations.AddField(
            model_name="casephoto",
            name="reviewed_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="审核人"),
        ),
        migrations.AddField(
            model_name="casephoto",
            name="version",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
