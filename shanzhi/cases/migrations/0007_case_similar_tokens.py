from django.db import migrations, models

# On PostgreSQL the stored tokens get a GIN index over their array, so the duplicate engine can ask for
# "shares a word" alongside the (region_code, state) index when a community has many open cases.
GIN = ("CREATE INDEX IF NOT EXISTS cases_case_similar_tokens_gin "
       "ON cases_case USING gin (string_to_array(similar_tokens, ' '))")
DROP = "DROP INDEX IF EXISTS cases_case_similar_tokens_gin"


def _gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN)


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_holiday_overrides'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='similar_tokens',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(_gin, _drop),
    ]
