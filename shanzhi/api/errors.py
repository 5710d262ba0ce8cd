"""Invalid parameters answer 422 with pydantic's details and a Chinese message naming the parameters."""

from django.utils.translation import gettext as _
from ninja.errors import ValidationError


def install_handlers(api) -> None:
    def on_invalid(request, exc: ValidationError):
        names = sorted({str(e["loc"][-1]) for e in exc.errors if e.get("loc")})
        message = _("参数不正确：%(names)s") % {"names": "、".join(names)} if names else _("参数不正确")
        return api.create_response(request, {"message": message, "detail": exc.errors}, status=422)

    api.add_exception_handler(ValidationError, on_invalid)
