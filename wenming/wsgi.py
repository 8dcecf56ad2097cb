"""WSGI entry point (gunicorn wenming.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenming.settings")
application = get_wsgi_application()
