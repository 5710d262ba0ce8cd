"""What a view shows of a personal field, and how many numbers remain possible from what it shows.

Masks are designed as a set (ARCHITECTURE §6): whatever one actor sees together — masked ID number, birth
year or age, sex, address, masked phone — must leave at least `MIN_CANDIDATES` possible numbers.

- `shown(field, value, revealed=False)` is the one definition of what a masked view shows:
  ID number → first 6 (region) and the check digit (`321002***********7`); phone → the first 3 digits
  (`138********`); birth date → the birth year only. Age is `this year − birth year`, so it carries the same
  information as the birth year (and age filters select by year, never by day). A revealed value (an
  audited reveal) is shown in full.
- `candidate_count(fields_shown)` counts the numbers consistent with what a view shows, assuming the
  worst: the region (6 digits) and a mobile's HLR segment (digits 4–7) are known from the address.

Why this mask: with the birth year and sex shown, the 8 birth-date digits leave 365 dates and the
3-digit sequence 500 values (its last digit's parity is the sex); a shown check digit keeps 1 in 11:
365 × 500 / 11 ≈ 16,600. Showing the last 4 (`321002********1234`) beside a full birth date left 1.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping

MIN_CANDIDATES = 10_000
MASK = "*"
ID_HEAD, ID_TAIL = 6, 1  # region shown, check digit shown
PHONE_HEAD = 3
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # check character for (weighted sum % 11)
_EARLIEST = datetime.date(1900, 1, 1)


# --- what is shown ------------------------------------------------------------------------------------

def mask_id_number(value: str) -> str:
    """321002***********7: the region and the check digit (18 digits); short numbers keep 2."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + MASK * max(len(value) - 2, 0)
    return value[:ID_HEAD] + MASK * (len(value) - ID_HEAD - ID_TAIL) + value[-ID_TAIL:]


def mask_phone(value: str) -> str:
    """138********: the first 3 digits only (a mobile's HLR segment is guessable from the address, so the
    last 4 digits must stay hidden)."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + MASK * (len(value) - 1)
    return value[:PHONE_HEAD] + MASK * (len(value) - PHONE_HEAD)


def age_of(birth_date: datetime.date | None, today: datetime.date | None = None) -> int | None:
    """Age as shown to masked views: this year − birth year (the same information as the birth year)."""
    if birth_date is None:
        return None
    return (today or datetime.date.today()).year - birth_date.year


def shown(field: str, value, *, revealed: bool = False):
    """What a view shows of `field` ("id_number", "phone", "birth_date"): the value itself only when
    `revealed` (an audited reveal), otherwise the mask — for a birth date, its year."""
    if not value:
        return None if field == "birth_date" else ""
    if revealed:
        return value
    if field == "id_number":
        return mask_id_number(value)
    if field == "phone":
        return mask_phone(value)
    if field == "birth_date":
        return value.year
    raise ValueError(f"no mask defined for {field!r}")


# --- how many numbers remain ---------------------------------------------------------------------------

def _date_window(shown_: Mapping, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    lo, hi = _EARLIEST, today
    if shown_.get("birth_date"):
        lo = hi = shown_["birth_date"]
    year = shown_.get("birth_year")
    if year is None and shown_.get("age") is not None:
        year = today.year - int(shown_["age"])
    if year is not None:
        lo, hi = max(lo, datetime.date(int(year), 1, 1)), min(hi, datetime.date(int(year), 12, 31))
    return lo, hi


def _fits(digits: str, pattern: str) -> bool:
    return all(p == MASK or p == d for d, p in zip(digits, pattern, strict=True))


def _residues(candidates, weights, pattern: str) -> list[int]:
    """How many candidate digit strings fit `pattern`, counted by their weighted-sum residue mod 11."""
    counts = [0] * 11
    for digits in candidates:
        if _fits(digits, pattern):
            counts[sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11] += 1
    return counts


def id_candidates(shown_: Mapping, *, today: datetime.date | None = None) -> int:
    """Resident ID numbers (18 digits) consistent with the shown mask, birth date/year/age and sex."""
    masked = str(shown_.get("id_number") or "").upper()
    if len(masked) != 18:  # other documents: every hidden character counts as free
        return 10 ** masked.count(MASK)
    today = today or datetime.date.today()
    lo, hi = _date_window(shown_, today)
    days = ((lo + datetime.timedelta(days=i)).strftime("%Y%m%d") for i in range((hi - lo).days + 1))
    by_date = _residues(days, _WEIGHTS[6:14], masked[6:14])
    sex = shown_.get("sex")
    sequences = (f"{n:03d}" for n in range(1000)
                 if sex is None or (n % 2 == 1) == (sex in ("male", "男", "M")))
    by_seq = _residues(sequences, _WEIGHTS[14:17], masked[14:17])
    region = masked[:6]
    region_residues = ([sum(w * int(d) for w, d in zip(_WEIGHTS[:6], region, strict=True)) % 11]
                       if MASK not in region else range(11))  # hidden region: known to an attacker, any residue
    check = masked[17]
    counts = []
    for base in region_residues:
        total = 0
        for r1, n1 in enumerate(by_date):
            for r2, n2 in enumerate(by_seq):
                if check == MASK or _CHECK[(base + r1 + r2) % 11] == check:
                    total += n1 * n2
        counts.append(total)
    return min(counts)


def phone_candidates(masked: str) -> int:
    """Phone numbers consistent with the mask; a mobile's segment (digits 4–7) and a landline's area code
    (first 4) count as known, since the address gives them away."""
    digits = re.sub(r"[^0-9*]", "", masked or "")
    if not digits:
        return 10 ** 11
    known_prefix = range(3, 7) if len(digits) == 11 and digits[0] == "1" else range(0, 4)
    hidden = sum(1 for i, ch in enumerate(digits) if ch == MASK and i not in known_prefix)
    return 10 ** hidden


def candidate_count(fields_shown: Mapping, *, today: datetime.date | None = None) -> int:
    """The fewest candidates any identifying number shown leaves: `fields_shown` holds what a view showed
    of one person — "id_number" (masked), "birth_date" (a date), "birth_year", "age", "sex", "phone"."""
    counts = []
    if fields_shown.get("id_number"):
        counts.append(id_candidates(fields_shown, today=today))
    if fields_shown.get("phone"):
        counts.append(phone_candidates(fields_shown["phone"]))
    return min(counts) if counts else 10 ** 17


# --- identifying numbers in free text (query strings, log lines) -------------------------------------------

# An 18-digit ID number or an 11-digit mobile, standing alone (not part of a longer digit run such as a
# 19-digit household number); spaces and dashes inside the number are allowed ("138 1234 5678").
_SEP = r"[\s\-]?"
IDENTIFYING_RE = re.compile(
    r"(?<![0-9])(?:[0-9](?:" + _SEP + r"[0-9]){16}" + _SEP + r"[0-9Xx]|1" + _SEP + r"[3-9](?:" + _SEP
    + r"[0-9]){9})(?![0-9Xx])")


def _fold(text: str) -> str:
    """Full-width digits and letters folded to ASCII (NFKC), so `１３８…` is caught like `138…`."""
    return unicodedata.normalize("NFKC", text)


def has_identifying_number(text: str) -> bool:
    return bool(text) and IDENTIFYING_RE.search(_fold(str(text))) is not None


def scrub(text: str) -> str:
    """`text` with every ID number or mobile replaced by its mask."""
    if not text:
        return text
    folded = _fold(text)
    if not IDENTIFYING_RE.search(folded):
        return text

    def _mask(m: re.Match) -> str:
        digits = re.sub(r"[\s\-]", "", m.group(0)).upper()
        return mask_id_number(digits) if len(digits) == 18 else mask_phone(digits)

    return IDENTIFYING_RE.sub(_mask, folded)
