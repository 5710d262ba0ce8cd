"""Volunteering to-dos (core.todo): volunteers to verify, store orders to hand out; for residents, activities."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.todo import TodoItem

from . import selectors
from .choices import OrderState, SignUpState


def staff_todos(*, actor) -> list[TodoItem]:
    pending = selectors.volunteer_list(actor=actor, pending_only=True).count()
    orders = selectors.open_orders(actor=actor).count()
    late = selectors.late_requests(actor=actor).count()
    return [TodoItem("volunteering.verify", _("%(n)s 名志愿者待核验") % {"n": pending},
                     reverse("volunteering:volunteers"), pending),
            TodoItem("volunteering.orders", _("%(n)s 个爱心超市订单待核销") % {"n": orders},
                     reverse("volunteering:redeem_desk"), orders),
            TodoItem("volunteering.late", _("%(n)s 件补报名待审核") % {"n": late}, reverse("volunteering:index"), late),
            *signup_todos(actor=actor)]


def signup_todos(*, actor) -> list[TodoItem]:
    """Activities with sign-ups waiting for review, each linking to the activity page that lists them."""
    pending = Q(signups__state=SignUpState.PENDING)
    rows = (selectors.activity_list(actor=actor).annotate(n=Count("signups", filter=pending)).filter(n__gt=0)
            .order_by("starts_at")[:5])
    return [TodoItem(f"volunteering.signups.{a.pk}", _("活动“%(t)s”有 %(n)s 个报名待审核") % {"t": a.title, "n": a.n},
                     reverse("volunteering:activity", args=[a.pk]), a.n) for a in rows]


def resident_todos(*, actor) -> list[TodoItem]:
    orders = selectors.my_orders(actor=actor).filter(state=OrderState.FROZEN).count()
    return [TodoItem("volunteering.my_orders", _("%(n)s 个爱心超市订单待领取") % {"n": orders},
                     reverse("volunteering:my"), orders)]
