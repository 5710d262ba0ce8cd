"""Residents' correction requests move onto the registry's change-request machinery (issue 22.6): every
portal.CorrectionRequest becomes a registry.ChangeRequest (source "resident") with the same state, requester,
decider and dates; its value stays encrypted (`new_enc`, decrypted when shown). Then the old table goes."""

from django.db import migrations

STATES = {"pending": "pending", "approved": "approved", "rejected": "rejected"}


def forward(apps, schema_editor):
    Old = apps.get_model("portal", "CorrectionRequest")
    New = apps.get_model("registry", "ChangeRequest")
    Person = apps.get_model("registry", "Person")
    for old in Old.objects.all().order_by("pk").iterator():
        person = Person.objects.filter(pk=old.person_id).first()
        if person is None:
            continue
        if old.field == "phone":
            entry = {"field": "phone", "sensitive": True, "old_enc": person.phone_enc, "new_enc": old.value_enc}
        else:
            entry = {"field": old.field, "old": getattr(person, old.field), "new_enc": old.value_enc}
        new = New.objects.create(
            source="resident", state=STATES.get(old.state, "pending"), target_type="person", target_id=person.pk,
            target_label=person.name[:200], base_version=person.version, diff=[entry], note=old.note,
            requested_by_id=old.user_id, decided_by_id=old.decided_by_id, decided_at=old.decided_at,
            reason=old.reason, region_code=old.region_code)
        New.objects.filter(pk=new.pk).update(created_at=old.created_at)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0001_initial"),
        ("registry", "0005_change_requests"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="CorrectionRequest"),
    ]
