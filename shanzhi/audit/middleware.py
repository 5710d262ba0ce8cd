from .context import client_ip, ip_var, new_request_id, request_id_var


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and remembers the client IP for audit rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = new_request_id()
        request.request_id = rid
        t1 = request_id_var.set(rid)
        t2 = ip_var.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(t1)
            ip_var.reset(t2)
        response["X-Request-ID"] = rid
        if getattr(request, "no_store", False):
            response["Cache-Control"] = "no-store"
        return response
