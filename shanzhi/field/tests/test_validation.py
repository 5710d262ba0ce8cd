"""One definition of validation: the server's forms and the phone's validate.js (run here in node, with the schema the
server exports from those forms) accept and refuse the same input, field by field."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from stdnum.cn import ric

from shanzhi.field.forms import (
    GB11643_CODES,
    GB11643_WEIGHTS,
    HouseholdWithHeadForm,
    VisitForm,
    form_schema,
    rules_schema,
)

VALIDATE_JS = Path(__file__).resolve().parents[1] / "static" / "field" / "validate.js"
HARNESS = """
const v = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => input += d);
process.stdin.on("end", () => {
  const job = JSON.parse(input);
  process.stdout.write(JSON.stringify(job.cases.map((values) => Object.keys(v.validate(job.schema, values)).sort())));
});
"""


def _valid(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


GOOD = _valid("11010519491231002")
HOUSEHOLD = {"dwelling": "12", "household_number": "3210020040010010001", "kind": "family", "name": "李四",
             "id_number": GOOD, "phone": "13912345678"}
HOUSEHOLD_CASES = [
    ({}, []),
    ({"name": ""}, ["name"]),
    ({"name": "   "}, ["name"]),
    ({"name": "李" * 51}, ["name"]),
    ({"household_number": ""}, []),
    ({"household_number": "1" * 31}, ["household_number"]),
    ({"kind": "bogus"}, ["kind"]),
    ({"kind": ""}, ["kind"]),
    ({"dwelling": ""}, ["dwelling"]),
    ({"dwelling": "abc"}, ["dwelling"]),
    ({"id_number": ""}, []),
    ({"id_number": GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")}, ["id_number"]),  # wrong check digit
    ({"id_number": GOOD[:17]}, ["id_number"]),  # 17 characters
    ({"id_number": "11010519491231002A"}, ["id_number"]),
    ({"id_number": _valid("11010519491331002")}, ["id_number"]),  # month 13, right check digit
    ({"id_number": _valid("11010520991231002")}, ["id_number"]),  # born in the future
    ({"id_number": _valid("11010518791231002")}, ["id_number"]),  # before 1880
    ({"id_number": GOOD.lower()}, []),  # a lowercase x
    ({"id_number": "１１０１０５１９４９１２３１００２Ｘ"}, []),  # full-width
    ({"id_number": "110105 1949 1231 002X"}, []),  # spaces
    ({"id_number": "110105491231002"}, []),  # 15-digit legacy number
    ({"id_number": "11010549123100"}, ["id_number"]),
    ({"phone": ""}, []),
    ({"phone": "12345"}, ["phone"]),
    ({"phone": "1391234567"}, ["phone"]),
    ({"phone": "12912345678"}, ["phone"]),
    ({"phone": "+86 139 1234 5678"}, []),
    ({"phone": "0514-87654321"}, []),
    ({"phone": "0514-87654321转123"}, []),
    ({"phone": "abc"}, ["phone"]),
    ({"name": "", "phone": "1", "id_number": "1"}, ["id_number", "name", "phone"]),
]
VISIT = {"household": "12", "notes": "独居老人，身体尚好"}
VISIT_CASES = [
    ({}, []),
    ({"household": "c:0b7e2a8e-5a6f-4d7e-9a51-2f6d0c3e9b11"}, []),
    ({"household": ""}, ["household"]),
    ({"household": "12; drop"}, ["household"]),
    ({"household": "c:nope"}, ["household"]),
    ({"notes": ""}, ["notes"]),
    ({"notes": "字" * 2001}, ["notes"]),
]


def _js(schema: dict, cases: list[dict]) -> list[list[str]]:
    node = shutil.which("node")
    if not node:
        pytest.fail("node is missing (it builds the front-end assets too)")
    done = subprocess.run([node, "-e", HARNESS, str(VALIDATE_JS)], input=json.dumps({"schema": schema, "cases": cases}),
                          capture_output=True, text=True, timeout=60, check=True)  # noqa: S603 - our own script
    return json.loads(done.stdout)


@pytest.mark.parametrize("form_class,base,cases", [(HouseholdWithHeadForm, HOUSEHOLD, HOUSEHOLD_CASES),
                                                   (VisitForm, VISIT, VISIT_CASES)], ids=["household", "visit"])
def test_the_phone_and_the_server_refuse_the_same_input(form_class, base, cases):
    schema = {"form": form_schema(form_class()), "rules": rules_schema()}
    inputs = [{**base, **change} for change, _expected in cases]
    on_phone = _js(schema, inputs)
    for (change, expected), values, phone in zip(cases, inputs, on_phone, strict=True):
        form = form_class(data=values)
        form.is_valid()
        on_server = sorted(form.errors)
        assert on_server == expected, (change, form.errors)
        assert phone == expected, (change, phone)


def test_the_schema_carries_the_check_digit_rule_and_the_server_agrees_with_it():
    rules = rules_schema()
    assert rules["gb11643"]["weights"] == GB11643_WEIGHTS and rules["gb11643"]["codes"] == GB11643_CODES
    for body in ("11010519491231002", "32100219800101123", "44030419991231876"):
        total = sum(int(d) * w for d, w in zip(body, GB11643_WEIGHTS, strict=True))
        assert GB11643_CODES[total % 11] == ric.calc_check_digit(body + "0")
    fields = {f["name"]: f for f in form_schema(HouseholdWithHeadForm())["fields"]}
    assert fields["id_number"]["rule"] == "gb11643" and fields["phone"]["rule"] == "phone"
    assert fields["name"]["required"] and fields["name"]["max_length"] == 50
    assert fields["kind"]["choices"] == ["family", "collective"]
