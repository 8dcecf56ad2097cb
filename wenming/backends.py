"""Authentication backend: Django's ModelBackend, with the signed-in user's unit and bureau
loaded in the same query, so that scoping every query by bureau (`visible_to`) costs no extra
query per request.

On a page view the three records are kept per process while counter 0 of the data versions stays
the same (ledgers.versions.cached_copy): a write to any column of a user but the last login, or to
any unit or bureau, moves it. So a changed password, role or unit, or a deactivated account, is seen
on the next request, and a cached page view reads one counter instead of three joined tables."""
from django.contrib.auth.backends import ModelBackend

from ledgers import versions


def _load(user_id):
    from django.contrib.auth import get_user_model

    try:
        return get_user_model()._default_manager.select_related("unit__bureau").get(pk=user_id)
    except get_user_model().DoesNotExist:
        return None


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = versions.cached_copy("signed-in user", lambda: _load(user_id), user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
