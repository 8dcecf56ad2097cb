"""bench_pages' floor: the project's settings and middleware with one "hello world" view.

    gunicorn benchmarks.hello -w 2     (DEBUG=0 and the same environment as the site)
"""
import os

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
django.setup(set_prefix=False)


def hello(request):
    return HttpResponse("hello world", content_type="text/plain")


urlpatterns = [path("", hello)]
settings.ROOT_URLCONF = __name__

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402  (after the URLconf is ours)

application = WSGIHandler()
