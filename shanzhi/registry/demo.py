"""Demo step "registry": fills every 曲江 grid with synthetic residents (人进户、户进房、房进楼、楼进格).

About `ctx.persons` persons are spread over the grids in proportion to each grid's population: estates per
community, buildings sized by the community's housing form, dwellings (自住/出租/空置/经营), households with
family structures, tenants (floating population), units with valid USCC, care tags, needs and a few
special-population records. Everything is synthetic and recognisable as such: ID numbers are
321002 + birth date + an order code in 900–999 (valid GB 11643 check digit), phones are in the 170/171
virtual-operator range, USCC use region 321002 and organisation codes starting with 9.

Idempotent: a grid that already has households is skipped, so running the demo twice adds nothing.
Rows are written with bulk_create per community (demo seeding, not user writes: no audit rows).
"""

from __future__ import annotations

import datetime
import math
import random

from django.db import transaction
from stdnum.cn import ric, uscc

from shanzhi.core.pii import blind_index, encrypt
from shanzhi.core.progress import progress_update
from shanzhi.regions.models import Region

from . import choices as c
from .models import (
    Building,
    CareTag,
    Dwelling,
    Estate,
    Household,
    Need,
    Person,
    RegistryEvent,
    SpecialPopulationRecord,
    Unit,
)
from .services import name_pinyin

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欣建国志文海东峰晨阳亮成康兵振"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英红梅兰琴云莲真雪琳晶婷慧颖倩洁佳悦欣彤雯萍燕菲蓉薇月凤"
ETHNICITIES = [("汉族", 970), ("回族", 10), ("满族", 6), ("蒙古族", 4), ("苗族", 4), ("壮族", 3), ("土家族", 3)]
HOMETOWNS = ["安徽省阜阳市临泉县", "安徽省六安市霍邱县", "河南省周口市太康县", "江苏省盐城市阜宁县", "江苏省宿迁市沭阳县",
             "山东省临沂市兰陵县", "湖北省黄冈市麻城市", "江西省上饶市鄱阳县", "四川省达州市渠县", "江苏省淮安市涟水县"]
SHOPS = ["便利店", "理发店", "面馆", "药房", "水果店", "五金店", "快递驿站", "早餐店", "洗衣店", "超市"]
ENTERPRISES = ["物业服务有限公司", "家政服务有限公司", "建材有限公司", "科技有限公司", "餐饮管理有限公司"]
PERIODS = ["一期", "二期", "三期", "四期", "五期", "六期"]
# Household shapes: (name, weight). Tenants use their own list.
SHAPES = [("elderly_alone", 7), ("elderly_couple", 10), ("young_single", 7), ("young_couple", 9), ("nuclear", 38),
          ("three_gen", 20), ("grandparents_grandchild", 3), ("older_couple_adult_child", 6)]
TENANT_SHAPES = [("young_single", 35), ("young_couple", 30), ("nuclear", 35)]
# Building shape by housing form: ((min floors, max floors), max entrances, rooms per floor per entrance, type);
# each building is sized to the households still to house, so few dwellings stay empty.
BUILDING_SHAPES = {
    "commercial": ((6, 26), 3, 2, c.BuildingType.RESIDENTIAL),
    "old": ((4, 7), 4, 2, c.BuildingType.RESIDENTIAL),
    "public_rental": ((12, 18), 2, 4, c.BuildingType.RESIDENTIAL),
    "resettlement": ((6, 11), 3, 2, c.BuildingType.RESIDENTIAL),
}
DEMO_DATE = datetime.date(2026, 11, 1)  # the demo's "today", so that reruns build the same people


def _weighted(rng: random.Random, items):
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


class _Ids:
    """Synthetic resident ID numbers: 321002 + birth date + order code 900–999 (odd for men) + check digit,
    unique against what the database already holds (blind index)."""

    def __init__(self):
        self.used = set(Person.objects.exclude(id_number_hash="").values_list("id_number_hash", flat=True))

    def make(self, rng: random.Random, birth: datetime.date, sex: str) -> tuple[str, str]:
        start = rng.randrange(900, 1000)
        for k in range(100):
            order = 900 + (start - 900 + k) % 100
            if (order % 2 == 1) != (sex == c.Sex.MALE):
                continue
            body = f"321002{birth:%Y%m%d}{order:03d}"
            number = body + ric.calc_check_digit(body + "0")  # it reads 17 of 18 characters
            h = blind_index(number, purpose="id_number")
            if h not in self.used:
                self.used.add(h)
                return number, h
        raise RuntimeError(f"no free synthetic ID number for {birth}")


class _GridBuilder:
    """Builds one grid's rows in memory; `save()` writes them with bulk_create."""

    def __init__(self, *, grid: Region, community: Region, estates: list[Estate], target: int, ids: _Ids,
                 seed: int, index: int, building_counter: list[int]):
        self.grid, self.community, self.estates = grid, community, estates
        self.target, self.ids, self.index = target, ids, index
        self.rng = random.Random(f"{seed}-{grid.code}")
        self.village = community.community_kind == "village"
        self.building_counter = building_counter
        self.buildings: list[Building] = []
        self.dwellings: list[Dwelling] = []
        self.households: list[tuple[Household, list[Person]]] = []
        self.units: list[Unit] = []
        self.persons = 0
        bbox = (grid.boundary or {}).get("coordinates", [[[119.44, 32.36], [119.45, 32.37]]])[0]
        lngs, lats = [p[0] for p in bbox], [p[1] for p in bbox]
        self.box = (min(lats), min(lngs), max(lats), max(lngs))

    # --- people ---------------------------------------------------------------------------------------
    def person(self, *, age: int, sex: str, relation: str, surname: str | None = None, floating=False) -> Person:
        rng = self.rng
        chars = MALE_CHARS if sex == c.Sex.MALE else FEMALE_CHARS
        name = (surname or rng.choice(SURNAMES)) + "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))
        # `age` full years old on DEMO_DATE, so nobody is born after it
        birth = DEMO_DATE - datetime.timedelta(days=int(age * 365.25) + rng.randrange(365))
        number, h = self.ids.make(rng, birth, sex)
        pinyin, initials = name_pinyin(name)
        phone = ""
        if age >= 16 and rng.random() < 0.9:
            phone = f"17{rng.choice('01')}{rng.randrange(10**8):08d}"
        if age < 7:
            education, employment = c.Education.NONE, c.Employment.PRESCHOOL
        elif age < 22:
            education = [c.Education.PRIMARY, c.Education.JUNIOR, c.Education.SENIOR][min((age - 7) // 5, 2)]
            employment = c.Employment.STUDENT
        else:
            education = rng.choices([c.Education.PRIMARY, c.Education.JUNIOR, c.Education.SENIOR, c.Education.COLLEGE,
                                     c.Education.BACHELOR, c.Education.POSTGRADUATE],
                                    weights=[20, 30, 20, 12, 15, 3] if age > 50 else [2, 15, 25, 23, 28, 7])[0]
            employment = (c.Employment.RETIRED if age >= 60 else
                          rng.choices([c.Employment.EMPLOYED, c.Employment.UNEMPLOYED, c.Employment.OTHER],
                                      weights=[85, 6, 9])[0])
        if age >= 18 and rng.random() < 0.09:
            political = c.PoliticalStatus.PARTY_MEMBER
        elif 14 <= age <= 28 and rng.random() < 0.35:
            political = c.PoliticalStatus.LEAGUE_MEMBER
        else:
            political = c.PoliticalStatus.MASSES
        return Person(
            region_code=self.grid.code, name=name, name_pinyin=pinyin, name_initials=initials,
            id_type=c.IdType.RESIDENT_ID, id_number_enc=encrypt(number), id_number_hash=h, sex=sex, birth_date=birth,
            ethnicity=_weighted(rng, ETHNICITIES), phone_enc=encrypt(phone),
            phone_hash=blind_index(phone, purpose="phone"),
            political_status=political, education=education, employment=employment,
            marital_status=c.MaritalStatus.SINGLE if age < 24 else c.MaritalStatus.MARRIED,
            residence_type=c.ResidenceType.FLOATING if floating else c.ResidenceType.REGISTERED,
            separated=not floating and rng.random() < 0.03, relation_to_head=relation,
            registered_address=rng.choice(HOMETOWNS) if floating else "",
            move_in_date=(DEMO_DATE - datetime.timedelta(days=rng.randrange(30, 1100))) if floating else
            max(birth, DEMO_DATE.replace(year=DEMO_DATE.year - rng.randrange(1, 30))),
        )

    def family(self, shape: str, floating: bool) -> list[Person]:
        rng, M, F = self.rng, c.Sex.MALE, c.Sex.FEMALE
        R = c.Relation
        surname = rng.choice(SURNAMES)
        head_sex = M if rng.random() < 0.7 else F
        other = F if head_sex == M else M

        def p(age, sex, relation, same_name=False):
            return self.person(age=age, sex=sex, relation=relation, surname=surname if same_name else None,
                               floating=floating)

        if shape == "elderly_alone":
            people = [p(rng.randint(66, 92), rng.choice((M, F, F)), R.HEAD)]
            people[0].marital_status = c.MaritalStatus.WIDOWED
        elif shape == "elderly_couple":
            age = rng.randint(62, 85)
            people = [p(age, head_sex, R.HEAD), p(age + rng.randint(-4, 3), other, R.SPOUSE)]
        elif shape == "young_single":
            people = [p(rng.randint(21, 34), rng.choice((M, F)), R.HEAD)]
        elif shape == "young_couple":
            age = rng.randint(24, 35)
            people = [p(age, head_sex, R.HEAD), p(age + rng.randint(-3, 3), other, R.SPOUSE)]
        elif shape in ("nuclear", "three_gen"):
            age = rng.randint(30, 52)
            people = [p(age, head_sex, R.HEAD), p(age + rng.randint(-4, 3), other, R.SPOUSE)]
            for _ in range(rng.choice((1, 1, 2))):
                people.append(p(rng.randint(max(0, age - 40), age - 23), rng.choice((M, F)), R.CHILD,
                                same_name=True))
            if shape == "three_gen":
                for _ in range(rng.choice((1, 2))):
                    people.append(p(min(95, age + rng.randint(24, 32)), rng.choice((M, F)), R.PARENT))
        elif shape == "grandparents_grandchild":
            age = rng.randint(60, 74)
            people = [p(age, head_sex, R.HEAD), p(age + rng.randint(-3, 3), other, R.SPOUSE),
                      p(rng.randint(5, 14), rng.choice((M, F)), R.GRANDCHILD, same_name=True)]
        else:  # older couple with an adult child
            age = rng.randint(50, 65)
            people = [p(age, head_sex, R.HEAD), p(age + rng.randint(-3, 3), other, R.SPOUSE),
                      p(age - rng.randint(24, 30), rng.choice((M, F)), R.CHILD, same_name=True)]
        for person in people:
            person.shape = shape
        return people

    # --- buildings and dwellings --------------------------------------------------------------------------
    def _location(self):
        lat0, lng0, lat1, lng1 = self.box
        return (round(self.rng.uniform(lat0 + (lat1 - lat0) * .1, lat1 - (lat1 - lat0) * .1), 6),
                round(self.rng.uniform(lng0 + (lng1 - lng0) * .1, lng1 - (lng1 - lng0) * .1), 6))

    def add_buildings(self, needed: int) -> list[Dwelling]:
        rng = self.rng
        estate = self.estates[self.index % len(self.estates)] if self.estates else None
        homes: list[Dwelling] = []
        while len(homes) < needed:
            self.building_counter[0] += 1
            n = self.building_counter[0]
            lat, lng = self._location()
            if self.village:
                group = 1 + n // 40
                b = Building(region_code=self.grid.code, estate=None, name=f"{group}组{n}号",
                             address=f"{self.community.name}{group}组{n}号", building_type=c.BuildingType.BUNGALOW,
                             floors=rng.choice((2, 3)), entrances=1, year_built=rng.randint(1990, 2015), lat=lat,
                             lng=lng)
                self.buildings.append(b)
                d = Dwelling(region_code=self.grid.code, building=b, entrance=1, floor=1, room="整栋",
                             area=rng.randint(120, 260))
                self.dwellings.append(d)
                homes.append(d)
                continue
            (low, high), max_entrances, per_floor, btype = BUILDING_SHAPES.get(
                self.community.housing_form or "commercial", BUILDING_SHAPES["commercial"])
            left = needed - len(homes)
            entrances = max(1, min(max_entrances, math.ceil(left / (high * per_floor))))
            floors = max(low, min(high, math.ceil(left / (entrances * per_floor))))
            shops = btype == c.BuildingType.RESIDENTIAL and floors <= 11 and rng.random() < 0.3
            b = Building(region_code=self.grid.code, estate=estate, name=f"{n}栋",
                         address=f"{estate.name if estate else self.community.name}{n}栋",
                         building_type=c.BuildingType.MIXED if shops else btype, floors=floors, entrances=entrances,
                         year_built=(estate.year_built if estate else None), lat=lat, lng=lng)
            self.buildings.append(b)
            area = rng.choice((68, 89, 96, 112, 125, 143))
            for e in range(1, entrances + 1):
                for f in range(1, floors + 1):
                    for r in range(1, per_floor + 1):
                        if shops and f == 1:
                            d = Dwelling(region_code=self.grid.code, building=b, entrance=e, floor=1,
                                         room=f"商{e}0{r}", area=rng.randint(40, 120), use=c.DwellingUse.COMMERCIAL,
                                         occupancy=c.Occupancy.BUSINESS)
                            self.dwellings.append(d)
                            continue
                        d = Dwelling(region_code=self.grid.code, building=b, entrance=e, floor=f,
                                     room=f"{f}{r:02d}", area=area + rng.choice((0, 0, 6, -6)))
                        self.dwellings.append(d)
                        homes.append(d)
        rng.shuffle(homes)
        return homes

    # --- the grid ----------------------------------------------------------------------------------------
    def build(self) -> None:
        rng = self.rng
        households_wanted = max(1, round(self.target / 2.8))
        homes = self.add_buildings(math.ceil(households_wanted / 0.86))
        old = self.community.housing_form == "old"
        seq = 0
        for d in homes:
            if self.persons >= self.target:
                d.occupancy = c.Occupancy.VACANT
                continue
            roll = rng.random()
            if roll < 0.08:
                d.occupancy = c.Occupancy.VACANT
                d.owner_name = self.person_name()
                continue
            rented = roll < (0.34 if old else 0.22)
            d.occupancy = c.Occupancy.RENTED if rented else c.Occupancy.OWNER_OCCUPIED
            seq += 1
            members = self.family(_weighted(rng, TENANT_SHAPES if rented else SHAPES), floating=rented)
            if rented:
                d.owner_name = self.person_name()
            else:
                d.owner_name = members[0].name
            address = f"{d.building.address}{d.entrance}单元{d.room}室" if not self.village else d.building.address
            for m in members:
                m.current_address = address
                if not m.registered_address:
                    m.registered_address = "江苏省扬州市广陵区" + address
            hh = Household(region_code=self.grid.code, household_number=f"{self.grid.code}{seq:04d}",
                           kind=c.HouseholdKind.FAMILY, dwelling=d, registered_here=not rented, living_here=True)
            self.households.append((hh, members))
            self.persons += len(members)
        self.add_units()

    def person_name(self) -> str:
        chars = self.rng.choice((MALE_CHARS, FEMALE_CHARS))
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(chars) for _ in range(2))

    def add_units(self) -> None:
        rng = self.rng
        places = [b for b in self.buildings if b.building_type == c.BuildingType.MIXED] or self.buildings[:1]
        specs = [(f"{self.community.name.removesuffix('社区')}{rng.choice(SHOPS)}", c.UnitKind.SHOP, "92")
                 for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.4:
            specs.append((f"扬州{self.person_name()[1:]}{rng.choice(ENTERPRISES)}", c.UnitKind.ENTERPRISE, "91"))
        if self.grid.code.endswith("001"):  # one per community, in its first grid
            base = self.community.name.removesuffix("社区")
            specs += [(f"{base}社区卫生服务站", c.UnitKind.HOSPITAL, "12"), (f"{base}幼儿园", c.UnitKind.SCHOOL, "52")]
        for k, (name, kind, head) in enumerate(specs):
            org = f"9{self.index:04d}{k:03d}"
            org += _org_check(org)
            body = f"{head}321002{org}"
            phone = f"171{rng.randrange(10**8):08d}"
            self.units.append(Unit(
                region_code=self.grid.code, name=name, kind=kind, uscc=body + uscc.calc_check_digit(body),
                address=(places[0].address if places else self.community.name), contact_name=self.person_name(),
                contact_phone_enc=encrypt(phone), contact_phone_hash=blind_index(phone, purpose="phone"),
                employees=rng.randint(2, 40), building=places[0] if places else None,
            ))


def _org_check(code8: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = 11 - sum(int(ch) * w for ch, w in zip(code8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _tags_and_needs(rng: random.Random, person: Person, household: Household) -> tuple[list, list]:
    age = DEMO_DATE.year - person.birth_date.year
    shape = person.shape
    tags = []
    if shape == "elderly_alone":
        tags.append(c.CareTagKind.ELDERLY_ALONE)
    elif shape == "elderly_couple":
        tags.append(c.CareTagKind.EMPTY_NEST)
    elif shape == "grandparents_grandchild" and person.relation_to_head == c.Relation.GRANDCHILD:
        tags.append(c.CareTagKind.LEFT_BEHIND_CHILD)
    if rng.random() < (0.08 if age >= 60 else 0.015):
        tags.append(c.CareTagKind.DISABLED)
    if rng.random() < 0.02:
        tags.append(c.CareTagKind.MINIMUM_LIVING)
    elif age >= 60 and shape == "elderly_alone" and rng.random() < 0.05:
        tags.append(c.CareTagKind.EXTREME_POVERTY)
    if person.sex == c.Sex.MALE and 38 <= age <= 80 and rng.random() < 0.04:
        tags.append(c.CareTagKind.VETERAN)
    care = [CareTag(region_code=person.region_code, person=person, tag=t) for t in tags]
    needs = []
    if tags and rng.random() < 0.25:
        category = {c.CareTagKind.ELDERLY_ALONE: c.NeedCategory.ELDERLY_CARE,
                    c.CareTagKind.EMPTY_NEST: c.NeedCategory.ELDERLY_CARE,
                    c.CareTagKind.DISABLED: c.NeedCategory.DISABILITY,
                    c.CareTagKind.LEFT_BEHIND_CHILD: c.NeedCategory.EDUCATION}.get(tags[0], c.NeedCategory.ASSISTANCE)
        text = {c.NeedCategory.ELDERLY_CARE: "希望每周上门探视，协助买菜、配药",
                c.NeedCategory.DISABILITY: "申请辅助器具，需要无障碍改造",
                c.NeedCategory.EDUCATION: "课后托管、作业辅导",
                c.NeedCategory.ASSISTANCE: "临时生活困难，申请救助"}[category]
        needs.append(Need(region_code=person.region_code, person=person, household=household, category=category,
                          description=text, status=rng.choice([c.NeedStatus.OPEN, c.NeedStatus.IN_PROGRESS,
                                                               c.NeedStatus.MET])))
    elif person.employment == c.Employment.UNEMPLOYED and rng.random() < 0.3:
        needs.append(Need(region_code=person.region_code, person=person, category=c.NeedCategory.EMPLOYMENT,
                          description="希望推荐附近的工作岗位", status=c.NeedStatus.OPEN))
    return care, needs


def _save_community(builders: list[_GridBuilder], estates: list[Estate]) -> int:
    """Write the grids of one community; returns the number of persons written."""
    B = 1000
    Estate.objects.bulk_create([e for e in estates if e.pk is None], batch_size=B)
    buildings = [b for g in builders for b in g.buildings]
    for b in buildings:
        b.estate_id = b.estate.pk if b.estate else None
    Building.objects.bulk_create(buildings, batch_size=B)
    dwellings = [d for g in builders for d in g.dwellings]
    for d in dwellings:
        d.building_id = d.building.pk
    Dwelling.objects.bulk_create(dwellings, batch_size=B)
    pairs = [p for g in builders for p in g.households]
    for hh, _m in pairs:
        hh.dwelling_id = hh.dwelling.pk
    Household.objects.bulk_create([hh for hh, _m in pairs], batch_size=B)
    persons = []
    for hh, members in pairs:
        for m in members:
            m.household_id, m.dwelling_id = hh.pk, hh.dwelling_id
            persons.append(m)
    Person.objects.bulk_create(persons, batch_size=B)
    for hh, members in pairs:
        hh.head_id = members[0].pk
    Household.objects.bulk_update([hh for hh, _m in pairs], ["head"], batch_size=B)
    units = [u for g in builders for u in g.units]
    for u in units:
        u.building_id = u.building.pk if u.building else None
    Unit.objects.bulk_create(units, batch_size=B)

    tags, needs, specials, events = [], [], [], []
    for g in builders:
        rng = g.rng
        for hh, members in g.households:
            events.append(RegistryEvent(region_code=hh.region_code, kind=c.EventKind.CREATE, household=hh,
                                        dwelling=hh.dwelling, date=members[0].move_in_date,
                                        summary=f"入户登记：户主{members[0].name}，{len(members)}人"))
            if not hh.registered_here:
                events.append(RegistryEvent(region_code=hh.region_code, kind=c.EventKind.RENT_OUT,
                                            dwelling=hh.dwelling, household=hh, date=members[0].move_in_date,
                                            summary=f"出租给{members[0].name}等{len(members)}人"))
            for m in members:
                events.append(RegistryEvent(region_code=m.region_code, kind=c.EventKind.MOVE_IN, person=m,
                                            household=hh, dwelling=hh.dwelling, date=m.move_in_date,
                                            summary=f"迁入 {m.current_address}"))
                t, n = _tags_and_needs(rng, m, hh)
                tags += t
                needs += n
                age = DEMO_DATE.year - m.birth_date.year
                if 16 <= age <= 60 and rng.random() < 0.003:
                    category = rng.choice(list(c.SpecialCategory))
                    specials.append(SpecialPopulationRecord(
                        region_code=m.region_code, person=m, category=category,
                        since=DEMO_DATE - datetime.timedelta(days=rng.randrange(60, 900)),
                        responsible="社区民警、网格长", support_plan="每月走访一次，帮助就业，家属配合。"))
    CareTag.objects.bulk_create(tags, batch_size=B)
    Need.objects.bulk_create(needs, batch_size=B)
    SpecialPopulationRecord.objects.bulk_create(specials, batch_size=B)
    RegistryEvent.objects.bulk_create(events, batch_size=B)
    return len(persons)


def _estates_for(community: Region, rng: random.Random) -> list[Estate]:
    if community.community_kind == "village":
        return []
    existing = list(Estate.objects.filter(region_code=community.code).order_by("id"))
    if existing:
        return existing
    base = community.name.removesuffix("社区")
    form = community.housing_form
    companies = ["扬州恒安物业", "江苏金鼎物业", "曲江物业服务中心", "广陵城投物业"]
    count = {"commercial": 3, "resettlement": 2, "old": 4, "public_rental": 1}.get(form, 2)
    names = ([f"{base}花园{p}" for p in PERIODS[:count]] if form == "commercial" else
             [f"{base}新村{i + 1}区" for i in range(count)] if form == "old" else
             [f"{base}安置小区{p}" for p in PERIODS[:count]] if form == "resettlement" else
             [f"{base}公租房"])
    return [Estate(region_code=community.code, name=n, address=f"曲江街道{n}", housing_form=form or "",
                   property_company=rng.choice(companies), owners_committee="" if form == "old" else f"{n}业主委员会",
                   year_built=rng.randint(1985, 2000) if form == "old" else rng.randint(2005, 2022))
            for n in names]


def build(*, ctx) -> None:
    """The demo step: fill every grid without households; link the demo resident user to a person."""
    grids = list(Region.objects.filter(code__in=ctx.data["grids"]).order_by("code"))
    communities = {r.code: r for r in Region.objects.filter(code__in=ctx.data["communities"])}
    total_pop = sum(g.population or 1 for g in grids) or 1
    done = set(Household.objects.filter(region_code__in=[g.code for g in grids])
               .values_list("region_code", flat=True).distinct())
    ids = _Ids()
    written = 0
    by_community: dict[str, list[Region]] = {}
    for g in grids:
        by_community.setdefault(g.code[:12], []).append(g)
    for n, (code, community_grids) in enumerate(sorted(by_community.items()), start=1):
        community = communities[code]
        todo = [g for g in community_grids if g.code not in done]
        if not todo:
            continue
        rng = random.Random(f"{ctx.seed}-{code}")
        estates = _estates_for(community, rng)
        counter = [Building.objects.filter(region_code__startswith=code).count()]
        builders = []
        for g in todo:
            builder = _GridBuilder(grid=g, community=community, estates=estates, ids=ids, seed=ctx.seed,
                                   index=grids.index(g), building_counter=counter,
                                   target=max(3, round(ctx.persons * (g.population or 1) / total_pop)))
            builder.build()
            builders.append(builder)
        with transaction.atomic():
            written += _save_community(builders, estates)
        if ctx.progress_id:
            progress_update(ctx.progress_id, done=n, total=len(by_community), message=f"基础信息：{community.name}")
    _link_resident(ctx)
    ctx.stdout(f"  registry: {written} persons written ({Person.objects.count()} in total)")


def _link_resident(ctx) -> None:
    user = ctx.data.get("users", {}).get("resident")
    if user is None or Person.objects.filter(user=user).exists():
        return
    grid = ctx.data["grids"][0]
    person = (Person.objects.filter(region_code=grid, user=None, relation_to_head=c.Relation.HEAD,
                                    status=c.PersonStatus.LIVING).order_by("id").first())
    if person:
        person.user = user
        person.save(update_fields=["user"])
