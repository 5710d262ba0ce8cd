"""Password rules: ≥ 8 characters, 3 character classes, not the username, no sequences; Argon2 hashing."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from shanzhi.accounts.models import User
from shanzhi.accounts.validators import CharacterClassValidator, NoSequenceValidator, NotUsernameValidator


@pytest.mark.parametrize("password", ["Qq-7zYx-pass", "Hz2026#road", "春天Ab3xyzw", "mY.Dog.Rex9", "Long-Horse-Battery-123456"])
def test_good_passwords_pass_every_rule(password):
    validate_password(password, User(username="zhangsan"))


@pytest.mark.parametrize("password,code", [
    ("Ab1-xyz", "password_too_short"),           # 7 characters
    ("abcdwxyzpq", "password_classes"),           # one class
    ("abcdwxyz12", "password_classes"),           # two classes
    ("ZHANGSAN-2x", "password_username"),         # contains the username, any case
    ("Abc-12345678", "password_sequence"),        # a run of digits
    ("Abcdefgh1!", "password_sequence"),          # a run of letters
    ("Qwertyuiop-1", "password_sequence"),        # a keyboard row
    ("98765432-Aa", "password_sequence"),         # descending
    ("Aaaa1111!!!!", "password_sequence"),        # repeated characters
])
def test_bad_passwords_are_refused_with_the_rule_named(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, User(username="zhangsan"))
    assert code in [e.code for e in exc.value.error_list]
    assert all(m for m in exc.value.messages)


def test_each_validator_alone():
    CharacterClassValidator().validate("abcXYZ12")
    with pytest.raises(ValidationError):
        CharacterClassValidator().validate("abcdefgh")
    NotUsernameValidator().validate("Qq-7zYx-pass", User(username="li"))
    with pytest.raises(ValidationError):
        NotUsernameValidator().validate("xx-Wang-1", User(username="wang"))
    NoSequenceValidator().validate("Qq-7zYx-pass")
    with pytest.raises(ValidationError):
        NoSequenceValidator().validate("123456")


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2():
    user = User.objects.create_user(username="hashme", password="Qq-7zYx-pass")
    assert user.password.startswith("argon2$")
