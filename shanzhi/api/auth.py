"""API authentication: bearer tokens of departments and apps (一次采集、多次使用), checked by api.tokens."""

from ninja.security import HttpBearer

from .tokens import authenticate_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        return authenticate_token(request, token)
