"""A person's notifications: the list (newest first), opening one (marks it read), marking all read, their
preferences, and the unsubscribe link of the emails.

Everyone sees only their own notifications: every lookup starts from ``request.user``'s rows, so someone
else's notification is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grants import notifications as services
from grants.access import get_notification_for_user, notifications_visible_to
from grants.forms.common import add_service_error
from grants.forms.notifications import NotificationPreferenceForm


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(
        notifications_visible_to(request.user).only(
            "pk", "title", "body", "url", "created_at", "read_at", "kind"
        ),
        settings.PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        # list(): the page's query runs here, not while the template renders.
        "notifications": list(page.object_list),
        "page_range": paginator.get_elided_page_range(page.number, on_ends=1),
    }
    return render(request, "grants/notification_list.html", context)


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    notification = get_notification_for_user(request.user, pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("grants:notification_list")


@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked read.")
    return redirect("grants:notification_list")


@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    preference = services.preference_for(request.user)
    form = NotificationPreferenceForm(request.POST or None, preference=preference)
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_update(
                user=request.user, actor=request.user, **form.service_arguments()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Your notification preferences were saved.")
            return redirect("grants:notification_preferences")
    return render(request, "grants/notification_preferences.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """An email's unsubscribe link: shows what it turns off and asks to confirm (a GET changes nothing, so
    mail scanners that follow links do not unsubscribe anyone); the POST turns that kind of email off for
    the signed-in person when the link was sent to them."""
    error = ""
    kind = None
    try:
        kind = services.unsubscribe_kind(token=token, actor=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not error and request.method == "POST":
        try:
            kind = services.notification_email_unsubscribe(token=token, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You will no longer get emails for: {kind.label.lower()}.")
            return redirect("grants:notification_preferences")
    status = 400 if error else 200
    return render(
        request, "grants/notification_unsubscribe.html", {"error": error, "kind": kind}, status=status
    )
