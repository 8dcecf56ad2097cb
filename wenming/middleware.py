"""Site-wide request and response rules."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme


class NoStoreWhenLoggedInMiddleware:
    """Pages and files for a signed-in user carry `Cache-Control: no-store` (and private, no-cache):
    on a shared office PC nothing a user saw stays in the browser's cache after logout. Static
    files are answered by whitenoise before this runs and keep their far-future caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response


class ForcePasswordChangeMiddleware:
    """Accounts with a one-time initial password (`User.must_change_password`) change it first.

    Every page but the password change itself, logout and static files redirects there; the flag is
    cleared when the new password is saved (`wenming.views.PasswordChangeView`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = (reverse("password_change"), reverse("password_change_done"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.method == "GET":
                    messages.warning(request, "您正在使用初始密码，请先修改密码。")
                return redirect(f"{reverse('password_change')}")
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A 405 with no body — Django's answer when a button's POST-only address (`@require_POST`) is
    opened, typed or bookmarked — becomes a Chinese page that says what happened and leads back
    (templates/405.html). The status and the Allow header stay as they were."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.method == "HEAD":
            return response
        page = render(request, "405.html", {"back": back_url(request)}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


def back_url(request):
    """The page `request` came from when it is one of this site's (and not the address itself),
    else None."""
    referer = request.META.get("HTTP_REFERER", "")
    if (referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
            and referer.split("?", 1)[0] != request.build_absolute_uri(request.path)):
        return referer
    return None
