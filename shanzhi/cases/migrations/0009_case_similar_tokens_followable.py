from django.db import migrations, models

# On PostgreSQL the duplicate engine reads the open, unmerged cases of a community with their tokens from a
# partial covering index (about a tenth of the table): an index-only range scan by community, no heap visits.
# Its WHERE is the engine's filter word for word (cases.choices.OPEN_STATES, duplicate_of IS NULL).
GIN = ("CREATE INDEX IF NOT EXISTS cases_case_open_similar ON cases_case (region_code, created_at) "
       "INCLUDE (id, similar_tokens, lat, lng, building_id, category_id) "
       "WHERE state IN ('reported', 'accepted', 'dispatched', 'handling', 'completed') AND duplicate_of_id IS NULL")
DROP = "DROP INDEX IF EXISTS cases_case_open_similar"


def _gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN)


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_casework_template_and_responsibilities'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='similar_tokens',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.RunPython(_gin, _drop),
        migrations.CreateModel(
            name='FollowableCase',
            fields=[
            ],
            options={
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('cases.case',),
        ),
    ]
