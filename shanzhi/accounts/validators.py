"""Password rules: ≥ 8 characters (Django's validator), 3 character classes, not the username,
not a run of a keyboard or number sequence."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SEQUENCES = ["0123456789", "9876543210", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm"]


class CharacterClassValidator:
    def validate(self, password, user=None):
        classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
        if classes < 3:
            raise ValidationError(_("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_classes")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if username and (username in password.lower() or password.lower() in username):
            raise ValidationError(_("密码不能包含用户名。"), code="password_username")

    def get_help_text(self):
        return _("密码不能包含用户名。")


class NoSequenceValidator:
    """Rejects a password that is mostly a sequence or one repeated character: a run of a number, alphabet
    or keyboard sequence at least 6 long that makes up half or more of its letters and digits
    (12345678, Abc-12345678, qwertyuiop1) is refused; a long passphrase containing 123456 is not."""

    def validate(self, password, user=None):
        core = re.sub(r"[^A-Za-z0-9]", "", password).lower()
        if len(set(core)) <= 2 and len(core) >= 4:
            raise ValidationError(_("密码不能是重复字符。"), code="password_sequence")
        for seq in SEQUENCES:
            for size in range(6, len(seq) + 1):
                for i in range(len(seq) - size + 1):
                    if seq[i:i + size] in core and size >= max(6, len(core) / 2):
                        raise ValidationError(_("密码不能是连续的数字或字母序列。"), code="password_sequence")
        if core.isdigit() and len(core) >= 6:
            raise ValidationError(_("密码不能全部是数字。"), code="password_sequence")

    def get_help_text(self):
        return _("密码不能是连续的数字或字母序列。")
