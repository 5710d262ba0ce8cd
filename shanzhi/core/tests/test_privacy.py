"""The privacy scan of public texts: true positives, no false positive on numbers that only look personal,
names matched as words of their own, masking."""

import io

from PIL import Image

from shanzhi.core import privacy
from shanzhi.registry.testing import person_in

VALID_ID = "321002197001011239"  # GB 11643 check digit 9
WRONG_CHECK = "321002197001011234"


def _kinds(text, names=frozenset()):
    return [(f.kind, f.text) for f in privacy.scan(text, names=names)]


def test_id_numbers_with_a_valid_check_digit():
    assert _kinds(f"身份证{VALID_ID}。") == [("id_number", VALID_ID)]
    assert _kinds("身份证 11010519491231002x") == [("id_number", "11010519491231002x")]


def test_no_false_positive_on_an_18_digit_number_with_a_wrong_check_digit():
    assert _kinds(f"合同编号{WRONG_CHECK}") == []
    assert _kinds("账号6222021234567890123，金额12000元，日期20260105") == []


def test_phones_mobile_and_landline():
    found = _kinds("联系13812345678或 +86 139-1234-5678，办公室0514-87654321，(025)84561234")
    assert found == [("phone", "13812345678"), ("phone", "+86 139-1234-5678"), ("phone", "0514-87654321"),
                     ("phone", "(025)84561234")]
    assert _kinds("编号113812345678999，面积1381234平方米") == []


def test_names_of_registry_persons_as_words():
    names = frozenset({"王小明", "李娜"})
    assert _kinds("请联系王小明或李娜领取", names) == [("name", "王小明"), ("name", "李娜")]
    assert _kinds("本月无异常", names) == []
    assert _kinds("有事请找钱多多", frozenset({"钱多多"})) == [("name", "钱多多")]  # across jieba's words
    assert _kinds("正值高峰期，建国以来", frozenset({"高峰", "建国"})) == []  # inside longer words


def test_masking_replaces_each_finding_by_its_masked_form():
    text = f"张三，电话13812345678，身份证{VALID_ID}"
    found = privacy.scan(text, names=frozenset({"张三"}))
    masked = privacy.mask_all(text, found)
    assert "13812345678" not in masked and VALID_ID not in masked and "张三" not in masked
    assert "138********" in masked and "321002***********9" in masked and "张*" in masked
    assert privacy.scan(masked, names=frozenset({"张三"})) == []


def test_mask_ref_masks_one_finding_and_refuses_a_stale_ref():
    text = "电话13812345678，另电话13912345678"
    first = privacy.scan(text)[0]
    once = privacy.mask_ref(text, first.ref)
    assert "13812345678" not in once and "13912345678" in once
    assert privacy.mask_ref(once, "body:0:3") is None


def test_names_come_from_the_registered_source(db, world):
    person_in(world.grid.code, name="赵德芳")
    assert "赵德芳" in privacy.names_in(world.community.code)
    assert "赵德芳" not in privacy.names_in(world.other_community.code)
    found = privacy.scan_fields({"body": "感谢赵德芳同志"}, region_code=world.community.code)
    assert [(f.kind, f.field) for f in found] == [("name", "body")]


def _photo() -> bytes:
    image = Image.new("RGB", (200, 100), "white")
    for x in range(0, 100, 2):  # fine black-and-white stripes on the left half: detail a blur must remove
        for y in range(100):
            image.putpixel((x, y), (0, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "camera"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def test_blur_regions_covers_the_region_only_and_drops_exif():
    original = Image.open(io.BytesIO(_photo())).convert("L")
    blurred = Image.open(io.BytesIO(privacy.blur_regions(_photo(), [(0.0, 0.0, 0.5, 1.0)])))
    assert not blurred.getexif()
    gray = blurred.convert("L")

    def contrast(img, x0, x1):
        values = [img.getpixel((x, 50)) for x in range(x0, x1)]
        return max(values) - min(values)

    assert contrast(original, 20, 80) > 200 and contrast(gray, 20, 80) < 60  # the stripes are gone
    assert abs(gray.getpixel((150, 50)) - original.getpixel((150, 50))) < 10  # outside it: unchanged
    assert privacy.blur_regions(_photo(), [("x", 0, 1, 1), (0.9, 0.9, 0.0, 0.0)])  # bad regions are skipped
