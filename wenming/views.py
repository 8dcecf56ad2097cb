"""Login with a Chinese message that does not tell whether the user exists; the CSRF failure page."""
from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    error_messages = {
        # Same message for an unknown user, a wrong password and an inactive account.
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "用户名或密码不正确，请重新输入。",
    }


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Saving a new password also ends the must-change-password state of an initial password."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        return response


def csrf_failure(request, reason=""):
    """A Chinese page instead of Django's English one when a form's CSRF token is bad.

    Usually an old tab (the session expired or the user logged in elsewhere); the user
    reloads the form and submits again. Nothing was saved.
    """
    from django.shortcuts import render

    return render(request, "403_csrf.html", {"reason": reason}, status=403)
