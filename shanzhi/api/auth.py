"""API authentication. TokenAuth is completed by the department-token model (一次采集、多次使用):
until a token model exists it authenticates nobody."""

from ninja.security import HttpBearer


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        try:
            from .tokens import authenticate_token
        except ImportError:
            return None
        return authenticate_token(request, token)
