"""Background tasks (Tasks API). `scripts/run`'s worker runs them; schedule them with cron or a timer:

    */15 * * * *  shanzhi cases check-deadlines     # or enqueue check_deadlines_task
    10 0 * * *    shanzhi cases rollup --days 2
"""

from django_tasks import task

from .insight import rollup_build, window
from .services import check_deadlines


@task()
def check_deadlines_task() -> dict:
    return check_deadlines()


@task()
def rollup_task(days: int = 2) -> int:
    start, end = window(days)
    return rollup_build(start=start, end=end)
