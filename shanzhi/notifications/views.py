from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from shanzhi.core.access import login_view

from . import selectors, services


@login_view
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(actor=request.user, unread_only=unread_only), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only,
                                                        "unread": selectors.unread_count(actor=request.user)})


@login_view(methods=("POST",))
def mark_read(request):
    ids = request.POST.getlist("id")
    services.notification_mark_read(actor=request.user, ids=[int(i) for i in ids if i.isdigit()] or None)
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notifications:inbox")
