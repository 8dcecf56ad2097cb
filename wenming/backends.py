"""Authentication backend: Django's ModelBackend, with the signed-in user's unit and bureau
loaded in the same query, so that scoping every query by bureau (`visible_to`) costs no extra
query per request.

Who a user is — role, active flag, password, unit and bureau — is read from the database on every
request, never from a cache: a role changed by any path (the admin, raw SQL, a restore of a backup)
is what the next request sees."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("unit__bureau").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
