"""Invoices, deliverables and progress photos are kept encrypted outside the imports' folder (which is emptied
after some days), photos without EXIF; only those who may see the project get them back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.core.importing import uploads_cleanup
from shanzhi.core.roles import Role
from shanzhi.organisations.testing import make_org_staff
from shanzhi.projects import services
from shanzhi.projects.models import Milestone
from shanzhi.projects.testing import make_project

pytestmark = pytest.mark.django_db


def _png():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="PNG")
    return SimpleUploadedFile("现场.png", out.getvalue(), content_type="image/png")


def test_files_are_kept_and_served_in_scope(client, world, make_user):
    project = make_project(world.grid.code)
    staff = make_org_staff(project.organisation)
    report = services.progress_report(actor=staff, project=project, text="开展助餐 12 次", photo=_png())
    m = project.milestones.get(seq=1)
    Milestone.objects.filter(pk=m.pk).update(state="accepted")
    payment = services.payment_request(actor=staff, milestone=m,
                                       invoice=SimpleUploadedFile("发票.pdf", b"%PDF-1.4 invoice", "application/pdf"))
    uploads_cleanup(keep_days=0)  # the imports' clean-up leaves project files alone
    client.force_login(staff)
    photo = client.get(f"/projects/projects/{project.pk}/file/?f=photo&id={report.pk}")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png" and photo["Cache-Control"] == "no-store"
    assert Image.open(io.BytesIO(photo.content)).size == (40, 30)
    invoice = client.get(f"/projects/projects/{project.pk}/file/?f=invoice&id={payment.pk}")
    assert invoice.status_code == 200 and invoice.content == b"%PDF-1.4 invoice"
    assert client.get(f"/projects/projects/{project.pk}/file/?f=invoice&id=999999").status_code == 404
    other = make_user(Role.SOCIAL_ORG_STAFF, world.street.code)
    client.force_login(other)
    assert client.get(f"/projects/projects/{project.pk}/file/?f=photo&id={report.pk}").status_code == 404
