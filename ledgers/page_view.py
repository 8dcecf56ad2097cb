"""What a request is doing, known to every layer without importing models: whether it may change
data (acting: POST, PUT, PATCH, DELETE), and the page view's memo of results computed once per GET
or HEAD request (`request_memo`). ledgers.access builds its fetching on it; the models and the page
cache (ledgers.versions) read it too."""
import contextvars


_acting = contextvars.ContextVar("acting", default=False)
_memo = contextvars.ContextVar("request_memo", default=None)


class ActingRequestMiddleware:
    """Marks unsafe requests (POST, PUT, PATCH, DELETE) so that records are fetched for acting, and
    gives each safe request (GET, HEAD) its own `request_memo`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        acting = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        token, memo_token = _acting.set(acting), _memo.set(None if acting else {})
        try:
            return self.get_response(request)
        finally:
            _acting.reset(token)
            _memo.reset(memo_token)


def is_acting():
    return _acting.get()


def request_memo(key, compute):
    """`compute()` once per page view: a GET or HEAD request keeps the first result for the rest of
    the request (several panels of one page ask for the same current year). Requests that change
    data, jobs, commands and tests outside a request compute every time, so nothing a write changes
    is ever read stale."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def in_page_view():
    """Whether a GET or HEAD request is being served (the requests `request_memo` keeps results for)."""
    return _memo.get() is not None
