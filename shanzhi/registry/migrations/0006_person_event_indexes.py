"""Person and RegistryEvent keep only the indexes their queries use (see the comment above Person in models.py).

The schema editor is not left to do this by AlterField: dropping a field's db_index drops every single-column
btree index on it that is not a Meta index, uniq_person_id_number (a UniqueConstraint's partial index) included.
So the state changes are Django's and the database changes are explicit: the unused indexes dropped, the kept
ones renamed to their Meta names on PostgreSQL (no rebuild of a city's tables), the rest created.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, [indexes dropped], [(index kept, its Meta name)]); the names are the ones db_index gave them.
PERSON, EVENT = "registry_person", "registry_registryevent"
PLAN = [
    (PERSON,
     ["registry_person_id_number_hash_4709f1ad_like", "registry_person_phone_hash_7b9ae9f6_like",
      "registry_person_name_2a560b73", "registry_person_name_pinyin_e8955b1a",
      "registry_person_name_initials_8589bfe2", "registry_person_region_code_29e52cf0",
      "registry_person_residence_type_b61b166a_like", "registry_person_status_2f066ac2",
      "registry_person_status_2f066ac2_like"],
     [("registry_person_id_number_hash_4709f1ad", "person_id_number_hash"),
      ("registry_person_phone_hash_7b9ae9f6", "person_phone_hash"),
      ("registry_person_residence_type_b61b166a", "person_residence_type"),
      ("registry_person_region_code_29e52cf0_like", "person_region_prefix"),
      ("registry_person_name_2a560b73_like", "person_name_prefix"),
      ("registry_person_name_pinyin_e8955b1a_like", "person_pinyin_prefix"),
      ("registry_person_name_initials_8589bfe2_like", "person_initials_prefix")]),
    (EVENT,
     ["registry_registryevent_region_code_890975d9_like", "registry_registryevent_person_id_0fd8fd60",
      "registry_registryevent_household_id_0f852c6f", "registry_registryevent_dwelling_id_e8ee48ea"],
     [("registry_registryevent_region_code_890975d9", "registryevent_region")]),
]
PATTERN = ["varchar_pattern_ops"]
NEW = {
    "person": [
        models.Index(fields=["region_code"], opclasses=PATTERN, name="person_region_prefix"),
        models.Index(fields=["name"], opclasses=PATTERN, name="person_name_prefix"),
        models.Index(fields=["name_pinyin"], opclasses=PATTERN, name="person_pinyin_prefix"),
        models.Index(fields=["name_initials"], opclasses=PATTERN, name="person_initials_prefix"),
        models.Index(fields=["id_number_hash"], name="person_id_number_hash"),
        models.Index(fields=["phone_hash"], name="person_phone_hash"),
        models.Index(fields=["residence_type"], name="person_residence_type"),
    ],
    "registryevent": [
        models.Index(fields=["region_code"], name="registryevent_region"),
        models.Index(fields=["person"], condition=models.Q(person__isnull=False), name="registryevent_person"),
        models.Index(fields=["household"], condition=models.Q(household__isnull=False),
                     name="registryevent_household"),
        models.Index(fields=["dwelling"], condition=models.Q(dwelling__isnull=False), name="registryevent_dwelling"),
    ],
}
# reverse: the fields that had db_index (and so, on PostgreSQL, a pattern index when they are text)
OLD = {"person": ["region_code", "name", "name_pinyin", "name_initials", "id_number_hash", "phone_hash",
                  "residence_type", "status"],
       "registryevent": ["region_code", "person", "household", "dwelling"]}


def _names(schema_editor, table: str) -> set[str]:
    with schema_editor.connection.cursor() as cursor:
        return set(schema_editor.connection.introspection.get_constraints(cursor, table))


def forwards(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    qn = schema_editor.quote_name
    for table, dropped, kept in PLAN:
        existing = _names(schema_editor, table)
        for name in dropped:
            if name in existing:
                schema_editor.execute(f"DROP INDEX {qn(name)}")
        for old, new in kept:
            if old in existing and new not in existing:
                # SQLite cannot rename an index: it is dropped here and made again below (small databases)
                schema_editor.execute(f"ALTER INDEX {qn(old)} RENAME TO {qn(new)}" if pg else f"DROP INDEX {qn(old)}")
    for model_name, indexes in NEW.items():
        model = apps.get_model("registry", model_name)
        existing = _names(schema_editor, model._meta.db_table)
        for index in indexes:
            if index.name not in existing:
                schema_editor.add_index(model, index)


def backwards(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    for model_name, indexes in NEW.items():
        model = apps.get_model("registry", model_name)
        existing = _names(schema_editor, model._meta.db_table)
        for index in indexes:
            if index.name in existing:
                schema_editor.remove_index(model, index)
        for field_name in OLD[model_name]:  # the indexes db_index made, under the names it gave them
            field = model._meta.get_field(field_name)
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
            if pg and field.get_internal_type() == "CharField":
                schema_editor.execute(schema_editor._create_index_sql(model, fields=[field], suffix="_like",
                                                                      opclasses=["varchar_pattern_ops"]))


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0005_change_requests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name='person',
                    name='id_number_hash',
                    field=models.CharField(blank=True, max_length=64, verbose_name='证件号码索引'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='name',
                    field=models.CharField(max_length=50, verbose_name='姓名'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='name_initials',
                    field=models.CharField(blank=True, max_length=50, verbose_name='拼音首字母'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='name_pinyin',
                    field=models.CharField(blank=True, max_length=200, verbose_name='姓名拼音'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='phone_hash',
                    field=models.CharField(blank=True, max_length=64, verbose_name='联系电话索引'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='region_code',
                    field=models.CharField(max_length=20, verbose_name='区划代码'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='residence_type',
                    field=models.CharField(choices=[('registered', '户籍人口'), ('floating', '流动人口'), ('foreign', '境外人员')], default='registered', max_length=12, verbose_name='人口类型'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='status',
                    field=models.CharField(choices=[('living', '在住'), ('moved_out', '已迁出'), ('deceased', '已死亡')], default='living', max_length=12, verbose_name='状态'),
                ),
                migrations.AlterField(
                    model_name='registryevent',
                    name='dwelling',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='registry.dwelling'),
                ),
                migrations.AlterField(
                    model_name='registryevent',
                    name='household',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='registry.household'),
                ),
                migrations.AlterField(
                    model_name='registryevent',
                    name='person',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='registry.person'),
                ),
                migrations.AlterField(
                    model_name='registryevent',
                    name='region_code',
                    field=models.CharField(max_length=20, verbose_name='区划代码'),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['region_code'], name='person_region_prefix', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['name'], name='person_name_prefix', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['name_pinyin'], name='person_pinyin_prefix', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['name_initials'], name='person_initials_prefix', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['id_number_hash'], name='person_id_number_hash'),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['phone_hash'], name='person_phone_hash'),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['residence_type'], name='person_residence_type'),
                ),
                migrations.AddIndex(
                    model_name='registryevent',
                    index=models.Index(fields=['region_code'], name='registryevent_region'),
                ),
                migrations.AddIndex(
                    model_name='registryevent',
                    index=models.Index(condition=models.Q(('person__isnull', False)), fields=['person'], name='registryevent_person'),
                ),
                migrations.AddIndex(
                    model_name='registryevent',
                    index=models.Index(condition=models.Q(('household__isnull', False)), fields=['household'], name='registryevent_household'),
                ),
                migrations.AddIndex(
                    model_name='registryevent',
                    index=models.Index(condition=models.Q(('dwelling__isnull', False)), fields=['dwelling'], name='registryevent_dwelling'),
                ),
            ],
        ),
    ]
