"""Who may run an election (the 选举委员会 of its community)."""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule

from .models import COMMITTEE

RUN = rule("elections.run", roles=COMMITTEE, reason=_("只有本社区选举委员会成员可以办理选举事务"), scope="in_community")
