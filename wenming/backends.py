"""Authentication backend: Django's ModelBackend, with the signed-in user's unit and bureau
loaded in the same query, so that scoping every query by bureau (`visible_to`) costs no extra
query per request."""
from django.contrib.auth.backends import ModelBackend


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        try:
            user = get_user_model()._default_manager.select_related("unit__bureau").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
