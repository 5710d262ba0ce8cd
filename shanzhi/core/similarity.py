"""The one duplicate engine (查重): Chinese tokens, scoring, and a candidate query per kind.

Cases, consultation topics and registry persons each register a kind from their `AppConfig.ready()`:
`register_kind(key, candidates, template)` where `candidates(actor, query) -> iterable of Candidate` runs
the app's own scoped query (the resident's public items, the staff member's scope, out of scope never) on
a small set — restricted first by community or building and by open state, the stored tokens of each row
read from an indexed column or table written when the row is written. `suggest()` scores those candidates
here, the same way for every kind: text similarity of the jieba tokens (set cosine) with a bonus for the same
building or a short distance, and returns the best few above a threshold.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

EARTH_RADIUS_M = 6_371_000
RADIUS_M = 200  # beyond this a candidate gets no distance bonus
TEXT_WEIGHT, PLACE_WEIGHT = 0.75, 0.25
THRESHOLD = 0.2
MAX_TOKENS = 64  # stored per item; a query uses as many
_WORD = re.compile(r"\w", re.UNICODE)
# function words and fillers that say nothing about which problem it is
STOPWORDS = frozenset(
    "的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 啊 吧 呢 吗 嘛 "
    "我们 你们 他们 她们 它 这个 那个 这里 那里 还 又 被 把 让 给 请 与 及 或 等 已经 一直 非常 比较 情况 问题 "
    "反映 希望 尽快 处理 解决 麻烦 谢谢 小区 社区".split())


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_FILLER_CHARS = re.compile(r"[的了吗呢吧啊呀哦嘛着得地很也都就还又]")
_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")


def load_dictionary() -> None:
    """Load jieba's dictionary now (≈0.7 s, else on the first text a process cuts): the web server calls it before
    it forks its workers, so they share one copy and no request pays for it."""
    jieba.initialize()


@lru_cache(maxsize=4096)
def _cut(text: str) -> frozenset[str]:
    """jieba's search words plus the character bigrams of each Chinese run (fillers dropped): bigrams
    catch the same thing said in other words (楼道灯/楼道路灯), which short texts segment differently."""
    text = text.lower().translate(_DIGITS)
    out = set()
    for t in jieba.cut_for_search(text):
        t = t.strip()[:40]
        if t and _WORD.search(t) and t not in STOPWORDS and not (len(t) == 1 and _FILLER_CHARS.match(t)):
            out.add(t)
    for run in _CJK_RUN.findall(_FILLER_CHARS.sub(" ", text)):
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return frozenset(out - STOPWORDS)


def tokenize(text: str) -> frozenset[str]:
    """The jieba search tokens of a Chinese (or mixed) text, lower-cased, without stop words."""
    return _cut((text or "").strip()[:5000])


def token_string(*texts: str) -> str:
    """Tokens to store with a row (space-separated, sorted, at most MAX_TOKENS): written at write time."""
    tokens = set()
    for text in texts:
        tokens |= tokenize(text)
    return " ".join(sorted(tokens)[:MAX_TOKENS]) if len(tokens) <= MAX_TOKENS else " ".join(
        sorted(sorted(tokens, key=lambda t: (-len(t), t))[:MAX_TOKENS]))


def stored_tokens(value: str) -> frozenset[str]:
    return frozenset(value.split()) if value else frozenset()


def text_similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Set cosine of two token sets: 1 for the same words, 0 for none in common."""
    a, b = set(a), set(b)
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def haversine_m(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox(lat: float, lng: float, radius_m: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """(lat range, lng range) around a point: the SQL prefilter before haversine."""
    dlat = radius_m / 111_320
    dlng = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return (lat - dlat, lat + dlat), (lng - dlng, lng + dlng)


def place_similarity(*, distance_m: float | None = None, same_building: bool = False,
                     radius_m: float = RADIUS_M) -> float:
    if same_building:
        return 1.0
    if distance_m is None:
        return 0.0
    return max(0.0, 1.0 - distance_m / radius_m)


def score(query_tokens, candidate_tokens, *, distance_m: float | None = None, same_building: bool = False,
          radius_m: float = RADIUS_M) -> float:
    """Text similarity weighted with place: same building or close by lifts a candidate, never alone past
    the threshold unless the text also shares words (a building has many different problems)."""
    text = text_similarity(query_tokens, candidate_tokens)
    place = place_similarity(distance_m=distance_m, same_building=same_building, radius_m=radius_m)
    if text == 0:
        return 0.0
    return round(TEXT_WEIGHT * text + PLACE_WEIGHT * place, 4)


@dataclass(frozen=True)
class Query:
    """What the reporter or proposer has typed so far and where: tokens are computed once."""

    text: str
    region_code: str = ""
    building_id: int | None = None
    lat: float | None = None
    lng: float | None = None
    extra: dict = field(default_factory=dict, hash=False, compare=False)
    keys: frozenset[str] | None = None  # a kind's own tokens instead of the text's (persons: name, birth date)

    @property
    def tokens(self) -> frozenset[str]:
        return self.keys if self.keys is not None else tokenize(self.text)


@dataclass
class Candidate:
    obj: object
    tokens: frozenset[str]
    distance_m: float | None = None
    same_building: bool = False


@dataclass
class Suggestion:
    obj: object
    score: float
    distance_m: float | None
    same_building: bool


@dataclass(frozen=True)
class Kind:
    key: str
    candidates: Callable[..., Iterable[Candidate]]
    template: str  # the full-detail card of one suggestion (`item` in its context)
    # candidates may carry bare ids (cheap rows to score); `load(ids) -> {id: obj}` fetches the few shown
    load: Callable[[list], dict] | None = None


KINDS: dict[str, Kind] = {}


def register_kind(key: str, candidates: Callable[..., Iterable[Candidate]], template: str,
                  load: Callable[[list], dict] | None = None) -> None:
    """An app's candidate query: `candidates(actor, query)` returns its scoped, open, nearby rows with tokens."""
    KINDS[key] = Kind(key, candidates, template, load)


def kind(key: str) -> Kind:
    return KINDS[key]


def rank(query: Query, candidates: Iterable[Candidate], *, limit: int = 5,
         threshold: float = THRESHOLD) -> list[Suggestion]:
    q = query.tokens
    found = []
    for cand in candidates:
        s = score(q, cand.tokens, distance_m=cand.distance_m, same_building=cand.same_building)
        if s >= threshold:
            found.append(Suggestion(cand.obj, s, cand.distance_m, cand.same_building))
    found.sort(key=lambda x: (-x.score, x.distance_m if x.distance_m is not None else math.inf,
                              -(x.obj if isinstance(x.obj, int) else getattr(x.obj, "pk", 0))))
    return found[:limit]


def suggest(key: str, *, actor, query: Query, limit: int = 5, threshold: float = THRESHOLD) -> list[Suggestion]:
    """The best similar open items of kind `key` that the actor may see, best first."""
    if not query.tokens:
        return []
    k = KINDS[key]
    found = rank(query, k.candidates(actor, query), limit=limit, threshold=threshold)
    if k.load is not None and found:
        objs = k.load([s.obj for s in found])
        found = [Suggestion(objs[s.obj], s.score, s.distance_m, s.same_building) for s in found if s.obj in objs]
    return found
