"""Site-wide response rules."""
from django.utils.cache import add_never_cache_headers, patch_vary_headers


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
