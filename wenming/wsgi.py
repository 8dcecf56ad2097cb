"""WSGI entry point (gunicorn wenming.wsgi)."""
import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
application = get_wsgi_application()


def _freeze_startup_objects():
    """Import every view now and move what start-up made (modules, classes, URL patterns) out of the
    garbage collector's sight: a full collection then walks only what requests allocate. Each
    gunicorn worker imports this module, so each freezes its own heap."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports the URLconf and with it every view
    gc.collect()
    gc.freeze()


_freeze_startup_objects()
