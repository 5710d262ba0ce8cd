import datetime

import pytest
from django.http import Http404

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.registry import choices as c
from shanzhi.registry import selectors as sel
from shanzhi.registry import services as s
from shanzhi.registry.models import MoveRequest, Person, RegistryEvent

pytestmark = pytest.mark.django_db


def test_person_create_encrypts_derives_and_masks(worker, place, ids):
    _, d, h = place
    number = ids()
    p = s.person_create(actor=worker, name="张三丰", dwelling=d, household=h, id_number=number.lower(),
                        phone="138 0000 1234", relation_to_head=c.Relation.HEAD)
    p.refresh_from_db()
    assert p.birth_date == datetime.date(1980, 5, 17) and p.sex == c.Sex.MALE
    assert number not in p.id_number_enc and p.id_number_hash == s.id_number_hash(number)
    assert p.id_number_masked == number[:6] + "*" * 11 + number[-1:]
    assert p.phone_masked == "138********"
    assert (p.name_pinyin, p.name_initials) == ("zhangsanfeng", "zsf")
    assert p.region_code == d.region_code
    h.refresh_from_db()
    assert h.head == p
    assert RegistryEvent.objects.filter(person=p, kind=c.EventKind.CREATE).count() == 1
    event = AuditEvent.objects.get(action="registry.person.create")
    assert number not in str(event.after) and "13800001234" not in str(event.after)


def test_same_id_twice_is_refused_and_15_digit_matches(worker, place, ids):
    _, d, _ = place
    number = "360426910101007"  # legacy 15-digit form of 360426199101010071
    s.person_create(actor=worker, name="甲", dwelling=d, id_number="360426199101010071")
    with pytest.raises(ServiceError) as e:
        s.person_create(actor=worker, name="乙", dwelling=d, id_number=number)
    assert "已登记" in e.value.user_message and e.value.field == "id_number"


def test_birth_date_and_sex_must_agree(worker, place, ids):
    _, d, _ = place
    with pytest.raises(ServiceError) as e:
        s.person_create(actor=worker, name="甲", dwelling=d, id_number=ids(), birth_date=datetime.date(1981, 1, 1))
    assert e.value.field == "birth_date"
    with pytest.raises(ServiceError) as e:
        s.person_create(actor=worker, name="甲", dwelling=d, id_number=ids(), sex=c.Sex.FEMALE)
    assert e.value.field == "sex"


def test_out_of_scope_create_refused(other_worker, place):
    _, d, _ = place
    with pytest.raises(NotAllowed):
        s.person_create(actor=other_worker, name="甲", dwelling=d)


def test_update_is_optimistic(worker, place, ids):
    _, d, _ = place
    p = s.person_create(actor=worker, name="甲", dwelling=d, id_number=ids())
    stale = p.version
    s.person_update(actor=worker, person=p, version=stale, workplace="扬州某厂")
    with pytest.raises(ConflictError):
        s.person_update(actor=worker, person=p, version=stale, workplace="别处")
    p.refresh_from_db()
    assert p.workplace == "扬州某厂" and p.version == stale + 1
    # same phone typed differently is no change
    s.person_update(actor=worker, person=p, phone="13900001111")
    v = Person.objects.get(pk=p.pk).version
    s.person_update(actor=worker, person=p, phone="139-0000-1111")
    assert Person.objects.get(pk=p.pk).version == v


def test_reveal_needs_role_and_reason_and_audits_once(world, worker, leader, place, ids):
    _, d, _ = place
    number = ids()
    p = s.person_create(actor=worker, name="甲", dwelling=d, id_number=number)
    with pytest.raises(NotAllowed):
        s.person_reveal(actor=worker, person=p, field="id_number", reason="核对身份")
    with pytest.raises(ServiceError):
        s.person_reveal(actor=leader, person=p, field="id_number", reason="")
    before = AuditEvent.objects.count()
    assert s.person_reveal(actor=leader, person=p, field="id_number", reason="核对身份") == number
    assert AuditEvent.objects.count() == before + 1
    row = AuditEvent.objects.latest("id")
    assert row.action == "registry.person.reveal" and row.reason == "核对身份"
    assert number not in str(row.before) + str(row.after) + row.object_repr


def test_move_within_community_and_across_needs_approval(world, worker, make_user, place, ids):
    b, d, h = place
    p = s.person_create(actor=worker, name="甲", dwelling=d, household=h, id_number=ids())
    d2 = s.dwelling_create(actor=worker, building=b, room="502")
    s.person_move(actor=worker, person=p, dwelling=d2)
    p.refresh_from_db()
    assert p.dwelling == d2
    assert RegistryEvent.objects.filter(person=p, kind=c.EventKind.MOVE).exists()
    assert RegistryEvent.objects.filter(dwelling=d, kind=c.EventKind.MOVE).exists()  # old dwelling's timeline

    other_staff = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    other_worker = make_user(Role.GRID_WORKER, world.other_grid.code)
    ob = s.building_create(actor=other_worker, region_code=world.other_grid.code, name="1栋")
    od = s.dwelling_create(actor=other_worker, building=ob, room="101")
    req = s.person_move(actor=worker, person=p, dwelling=od, reason="购房")
    assert isinstance(req, MoveRequest) and req.region_code == world.other_grid.code
    p.refresh_from_db()
    assert p.dwelling == d2  # nothing changes until approved
    assert list(sel.move_request_list(actor=worker)) == []
    assert list(sel.move_request_list(actor=other_staff)) == [req]
    with pytest.raises(NotAllowed):
        s.move_request_approve(actor=worker, request=req)
    s.move_request_approve(actor=other_staff, request=req)
    p.refresh_from_db()
    assert p.dwelling == od and p.region_code == world.other_grid.code
    with pytest.raises(Http404):
        sel.person_get(actor=worker, pk=p.pk)


def test_move_request_reject_needs_reason(world, worker, make_user, place, ids):
    _, d, _ = place
    p = s.person_create(actor=worker, name="甲", dwelling=d, id_number=ids())
    staff = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    ob = s.building_create(actor=make_user(Role.GRID_WORKER, world.other_grid.code), region_code=world.other_grid.code,
                           name="1栋")
    od = s.dwelling_create(actor=make_user(Role.GRID_WORKER, world.other_grid.code), building=ob, room="101")
    req = s.person_move(actor=worker, person=p, dwelling=od)
    with pytest.raises(ServiceError):
        s.move_request_reject(actor=staff, request=req, reason="")
    req = s.move_request_reject(actor=staff, request=req, reason="地址不符")
    assert req.state == MoveRequest.State.REJECTED and req.decision_note == "地址不符"
    p.refresh_from_db()
    assert p.dwelling == d


def test_move_out_birth_death_and_head(worker, place, ids):
    _, d, h = place
    head = s.person_create(actor=worker, name="父", household=h, dwelling=d, id_number=ids(seq=1),
                           relation_to_head=c.Relation.HEAD)
    mother = s.person_create(actor=worker, name="母", household=h, dwelling=d, id_number=ids(seq=2, male=False),
                             relation_to_head=c.Relation.SPOUSE)
    baby = s.person_birth(actor=worker, household=h, name="宝宝", sex=c.Sex.FEMALE,
                          birth_date=datetime.date.today() - datetime.timedelta(days=3))
    assert baby.household == h and baby.dwelling == d and baby.relation_to_head == c.Relation.CHILD
    assert RegistryEvent.objects.filter(person=baby, kind=c.EventKind.BIRTH).exists()
    s.household_change_head(actor=worker, household=h, head=mother, relations={head.pk: c.Relation.SPOUSE})
    h.refresh_from_db()
    head.refresh_from_db()
    assert h.head == mother and head.relation_to_head == c.Relation.SPOUSE
    s.person_death(actor=worker, person=head, date=datetime.date.today())
    head.refresh_from_db()
    assert head.status == c.PersonStatus.DECEASED
    with pytest.raises(ServiceError):
        s.person_move_out(actor=worker, person=mother, destination="")
    s.person_move_out(actor=worker, person=mother, destination="南京市玄武区")
    mother.refresh_from_db()
    h.refresh_from_db()
    assert mother.status == c.PersonStatus.MOVED_OUT and mother.dwelling is None and h.head is None
    assert [e.kind for e in sel.household_timeline(actor=worker, household=h)].count(c.EventKind.HEAD_CHANGE) == 1
    # coming back
    s.person_move_in(actor=worker, person=mother, dwelling=d, household=h)
    mother.refresh_from_db()
    assert mother.status == c.PersonStatus.LIVING and mother.move_out_date is None


def test_split_and_merge(worker, place, ids):
    b, d, h = place
    head = s.person_create(actor=worker, name="父", household=h, dwelling=d, id_number=ids(seq=1),
                           relation_to_head=c.Relation.HEAD)
    son = s.person_create(actor=worker, name="子", household=h, dwelling=d, id_number=ids(seq=3),
                          relation_to_head=c.Relation.CHILD)
    d2 = s.dwelling_create(actor=worker, building=b, room="601")
    with pytest.raises(ServiceError):
        s.household_split(actor=worker, household=h, members=[head], household_number="H2", head=head)
    new = s.household_split(actor=worker, household=h, members=[son], household_number="H0002", head=son,
                            dwelling=d2)
    son.refresh_from_db()
    assert son.household == new and new.head == son and son.dwelling == d2
    s.household_merge(actor=worker, source=new, target=h)
    son.refresh_from_db()
    new.refresh_from_db()
    assert son.household == h and new.dissolved
    assert RegistryEvent.objects.filter(household=h, kind=c.EventKind.MERGE).exists()


def test_rent_out_and_vacate(worker, place, ids):
    _, d, h = place
    p = s.person_create(actor=worker, name="甲", household=h, dwelling=d, id_number=ids())
    s.dwelling_rent_out(actor=worker, dwelling=d, tenant_name="李四")
    d.refresh_from_db()
    assert d.occupancy == c.Occupancy.RENTED
    with pytest.raises(ServiceError):
        s.dwelling_vacate(actor=worker, dwelling=d)
    s.person_move_out(actor=worker, person=p, destination="外地")
    s.dwelling_vacate(actor=worker, dwelling=d)
    d.refresh_from_db()
    assert d.occupancy == c.Occupancy.VACANT
    kinds = [e.kind for e in sel.dwelling_timeline(actor=worker, dwelling=d)]
    assert c.EventKind.RENT_OUT in kinds and c.EventKind.VACATE in kinds


def test_duplicates_flagged_and_merged(worker, place, ids):
    _, d, _ = place
    a = s.person_create(actor=worker, name="王五", dwelling=d, id_number=ids(), phone="13800000001")
    b = s.person_create(actor=worker, name="王五", dwelling=d, birth_date=datetime.date(1980, 5, 17))
    assert any("重复" in w for w in b.warnings)
    s.care_tag_add(actor=worker, person=b, tag=c.CareTagKind.VETERAN)
    assert list(sel.person_possible_duplicates(actor=worker, person=a)) == [b]
    assert sel.duplicate_groups(actor=worker)[0]["count"] == 2
    kept = s.person_merge(actor=worker, keep=a, duplicate=b)
    assert not Person.objects.filter(pk=b.pk).exists()
    assert list(kept.care_tags.values_list("tag", flat=True)) == [c.CareTagKind.VETERAN]


def test_special_population_only_for_special_roles(world, worker, leader, place, ids):
    _, d, _ = place
    p = s.person_create(actor=worker, name="甲", dwelling=d, id_number=ids())
    with pytest.raises(NotAllowed):
        s.special_population_create(actor=worker, person=p, category=c.SpecialCategory.COMMUNITY_CORRECTION)
    rec = s.special_population_create(actor=leader, person=p, category=c.SpecialCategory.COMMUNITY_CORRECTION)
    assert list(sel.special_population_list(actor=worker)) == []
    assert list(sel.special_population_list(actor=leader)) == [rec]
    assert list(sel.person_list(actor=worker, filters={"special": c.SpecialCategory.COMMUNITY_CORRECTION})) == []
    assert list(sel.person_list(actor=leader, filters={"special": c.SpecialCategory.COMMUNITY_CORRECTION})) == [p]


def test_unit_uscc_and_phone(world, worker):
    u = s.unit_create(actor=worker, region_code=world.grid.code, name="扬州某公司", uscc="91320191ma1mdlh86y",
                      contact_phone="0514-87654321")
    assert u.contact_phone_masked == "051*********"
    with pytest.raises(ServiceError) as e:
        s.unit_create(actor=worker, region_code=world.grid.code, name="另一家", uscc="91320191MA1MDLH86C")
    assert e.value.field == "uscc"
