from django.db import models
from django.utils.translation import gettext_lazy as _


class Ledger(models.TextChoices):
    VOLUNTEER = "volunteer", _("志愿积分")
    PARTY = "party", _("党员积分")
    MONEY = "money", _("项目资金（分）")
    # money, in fen (分): a self-managed estate's fund, and property companies' 信用保证金 (property app)
    ESTATE = "estate", _("自管小区资金")
    DEPOSIT = "deposit", _("物业信用保证金")


class OwnerKind(models.TextChoices):
    PERSON = "person", _("个人")
    STORE = "store", _("爱心超市")
    SYSTEM = "system", _("系统")


class TransferKind(models.TextChoices):
    AWARD = "award", _("获得积分")
    DEDUCT = "deduct", _("扣减积分")
    ORDER_FREEZE = "order_freeze", _("兑换冻结")
    REDEEM = "redeem", _("兑换核销")
    REFUND = "refund", _("取消退回")
    VOID = "void", _("冲正")
    APPROPRIATE = "appropriate", _("预算下达")
    COMMIT = "commit", _("合同锁定")
    PAY = "pay", _("项目拨付")
    FEE = "fee", _("收取物业费")
    EXPENSE = "expense", _("支出")
    SURPLUS = "surplus", _("结余返还")
    DEPOSIT_PAY = "deposit_pay", _("缴纳保证金")
    DEPOSIT_DEDUCT = "deposit_deduct", _("扣除保证金")
    DEPOSIT_REFUND = "deposit_refund", _("退还保证金")


# Well-known system accounts of each ledger (Account.key).
ISSUER = "issuer"  # mints awards: its balance is minus the points in circulation
ESCROW = "escrow"  # points frozen by open orders
