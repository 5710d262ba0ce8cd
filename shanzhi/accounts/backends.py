"""Residents sign in with their mobile number and password (the login form's 用户名 field takes either)."""

from django.contrib.auth.backends import ModelBackend

from shanzhi.core.errors import ServiceError

from .models import User
from .signup import normalise_phone, phone_index


class PhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        try:
            phone = normalise_phone(username)
        except ServiceError:
            return None
        user = User.objects.filter(phone_hash=phone_index(phone)).first()
        if user is None:
            User().set_password(password)  # the same hashing time whether or not the number is registered
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
