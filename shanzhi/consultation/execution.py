"""执行: progress of a task tree, rolled up by weight like Decidim's accountability."""

from __future__ import annotations

from collections import defaultdict

from .models import ExecutionTask


def rollup(tasks: list[ExecutionTask]) -> dict[int, float]:
    """task id → progress; a leaf's own progress, a parent's weighted mean of its children."""
    children = defaultdict(list)
    for t in tasks:
        children[t.parent_id].append(t)
    memo: dict[int, float] = {}

    def value(t: ExecutionTask) -> float:
        if t.pk not in memo:
            kids = children.get(t.pk, [])
            total = sum(k.weight for k in kids)
            memo[t.pk] = sum(value(k) * k.weight for k in kids) / total if kids else float(t.progress)
        return memo[t.pk]

    for t in tasks:
        value(t)
    return memo


def topic_progress(topic) -> int:
    tasks = list(topic.tasks.all())
    roots = [t for t in tasks if t.parent_id is None]
    if not roots:
        return 0
    values = rollup(tasks)
    total = sum(t.weight for t in roots)
    return int(sum(values[t.pk] * t.weight for t in roots) / total)


def task_tree(topic) -> list[tuple[ExecutionTask, int, int]]:
    """(task, depth, rolled-up progress) in display order."""
    tasks = list(topic.tasks.prefetch_related("milestones"))
    values = rollup(tasks)
    children = defaultdict(list)
    for t in tasks:
        children[t.parent_id].append(t)
    out = []

    def walk(parent_id, depth):
        for t in children.get(parent_id, []):
            out.append((t, depth, int(values[t.pk])))
            walk(t.pk, depth + 1)

    walk(None, 0)
    return out
