"""The duplicate engine's scoring of Chinese text (core.similarity)."""

from shanzhi.core.similarity import (
    Candidate,
    Query,
    rank,
    score,
    text_similarity,
    token_string,
    tokenize,
)


def test_tokens_drop_fillers_and_read_digits_as_chinese():
    tokens = tokenize("3号楼楼道路灯不亮了，希望尽快处理")
    assert {"楼道", "路灯", "不亮", "三号"} <= tokens
    assert not tokens & {"了", "希望", "尽快", "处理", "，"}
    assert tokenize("3号楼") == tokenize("三号楼")  # the same building, however it is written


def test_same_problem_in_other_words_scores_above_a_different_problem():
    q = tokenize("3号楼楼道路灯不亮了")
    same = text_similarity(q, tokenize("三号楼的楼道灯坏了，晚上很黑"))
    same2 = text_similarity(q, tokenize("楼道里的灯不亮"))
    other = text_similarity(q, tokenize("小区门口垃圾堆放很久没人清理"))
    assert other == 0 and same > 0.2 and same2 > 0.2
    assert text_similarity(q, q) == 1.0
    assert text_similarity(q, set()) == 0.0


def test_place_lifts_a_candidate_but_never_alone():
    q = tokenize("楼道灯不亮")
    text = tokenize("楼道里的灯不亮")
    far, near, building = (score(q, text, distance_m=500), score(q, text, distance_m=20),
                           score(q, text, same_building=True))
    assert far < near < building
    assert score(q, tokenize("电梯困人"), same_building=True) == 0  # same building, another problem


def test_rank_orders_best_first_and_drops_below_threshold():
    class Obj:
        def __init__(self, pk):
            self.pk = pk

    query = Query(text="东门井盖破损，晚上有人绊倒")
    cands = [Candidate(Obj(1), tokenize("东门井盖破损")), Candidate(Obj(2), tokenize("井盖松动"), distance_m=10),
             Candidate(Obj(3), tokenize("广场舞噪音扰民"))]
    found = rank(query, cands)
    assert [s.obj.pk for s in found][0] == 1 and 3 not in [s.obj.pk for s in found]
    assert all(a.score >= b.score for a, b in zip(found, found[1:], strict=False))


def test_token_string_is_stored_sorted_and_bounded():
    stored = token_string("小区东门井盖破损", "晚上有人绊倒")
    assert stored.split() == sorted(stored.split())
    assert len(token_string("很长的描述" * 400 + "".join(chr(0x4E00 + i) for i in range(300))).split()) <= 64
