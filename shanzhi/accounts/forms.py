from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shanzhi.core.roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("用户名或密码错误。"),
    }


class OtpForm(forms.Form):
    # a 6-digit code or a backup code with letters: a text keyboard, offered the code the phone received
    token = forms.CharField(label=_("动态验证码"), max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                                          "autocapitalize": "off", "spellcheck": "false"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise forms.ValidationError(_("原密码不正确。"))
        return self.cleaned_data["old_password"]

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class RoleChoiceMixin:
    """Offers only the roles the actor may grant."""

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            labels = dict(Role.choices)
            self.fields["role"].choices = [(r, labels[r]) for r in roles]


class UserCreateForm(RoleChoiceMixin, forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region_code = forms.CharField(label=_("区域代码"), max_length=20)


class GrantForm(RoleChoiceMixin, forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    region_code = forms.CharField(label=_("区域代码"), max_length=20)


class SignupPhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class SignupForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    display_name = forms.CharField(label=_("称呼（选填）"), max_length=50, required=False)
    password1 = forms.CharField(label=_("设置密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data
