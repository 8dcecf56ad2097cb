"""Settings for wenming, read from environment variables.

SQLite and local media by default so that a fresh checkout just works; see .env.example
and docs/operations.md ("Settings") for every variable, and that page for production.
"""
from datetime import timedelta
from pathlib import Path
import os
import sys

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", env_bool("DJANGO_DEBUG", False))
TESTING = "pytest" in sys.modules


def secret_key():
    """SECRET_KEY, or the contents of the file SECRET_KEY_FILE names (bin/serve generates one
    under var/, outside git, the first time it runs)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if os.environ.get("SECRET_KEY_FILE"):
        try:
            return Path(os.environ["SECRET_KEY_FILE"]).read_text(encoding="utf-8").strip()
        except OSError:
            pass
    return "dev-only-insecure-key-set-SECRET_KEY-in-production" if DEBUG or TESTING else None


SECRET_KEY = secret_key()
if not SECRET_KEY:
    # Without DEBUG a real key is required; a fixed fallback would make sessions forgeable.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("请设置环境变量 SECRET_KEY 或 SECRET_KEY_FILE（生产环境必须设置）。")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The name printed on reports and letters.
BUREAU_NAME = os.environ.get("BUREAU_NAME", "漯河市郾城区教育局")
# The city bureau above it (市 → 区县 → 单位); BUREAU_NAME names the first district.
CITY_BUREAU_NAME = os.environ.get("CITY_BUREAU_NAME", "漯河市教育局")

INSTALLED_APPS = [
    "wenming.apps.BureauAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "wenming",
    "ledgers",
    "reports",
]
# The benchmark commands (benchmarks/) are not part of the product: installed for developers
# (DEBUG=1), in tests, and for a benchmark's own child processes (WENMING_BENCHMARKS=1).
if DEBUG or TESTING or env_bool("WENMING_BENCHMARKS", False):
    INSTALLED_APPS.append("benchmarks")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An empty 405 (a GET of a POST-only address) becomes a Chinese page that leads back.
    "wenming.middleware.MethodNotAllowedPageMiddleware",
    # Fetches records for acting (ledgers.access.get_visible_or_404) on POST requests.
    "ledgers.page_view.ActingRequestMiddleware",
    # Cache-Control: no-store on everything a signed-in user gets (pages, photos, PDFs).
    "wenming.middleware.NoStoreWhenLoggedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wenming.middleware.ForcePasswordChangeMiddleware",  # initial passwords are changed first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wenming.urls"
WSGI_APPLICATION = "wenming.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ledgers.nav.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A persistent connection is checked before each request reuses it: after PostgreSQL
        # restarts, the first request on each worker reconnects instead of failing with a 500.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes (runserver + a command, or gunicorn workers) share one file:
    # wait for the write lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Connections are kept between requests as on PostgreSQL (CONN_MAX_AGE): opening one and
    # running its PRAGMAs cost about 4 ms, half of a cached page.
    # The job worker (manage.py db_worker) writes beside the web server: WAL lets readers run
    # beside one writer, and IMMEDIATE takes the write lock at BEGIN, so a writer waits for it
    # (up to `timeout`) instead of failing mid-transaction with "database is locked".
    DATABASES["default"]["OPTIONS"].update({
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
    if TESTING:
        # A file, not memory: tests run the real job worker as a separate process on the same
        # test database (tests/reports/jobs/).
        import tempfile

        DATABASES["default"]["TEST"] = {
            "NAME": os.environ.get("WENMING_TEST_DB")
            or os.path.join(tempfile.gettempdir(), f"wenming-test-{os.getpid()}.sqlite3"),
        }

if TESTING and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The test database is thrown away: its commits need not wait for the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

if TESTING:
    # `manage.py backup` reads its snapshot and checks its archive through connections of their
    # own (ledgers/backup.py); tests that run it list these aliases in `databases`.
    for _alias in ("backup_snapshot", "backup_verify"):
        DATABASES[_alias] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
        if DATABASES[_alias]["ENGINE"].endswith("sqlite3"):
            # Only read through: a deferred BEGIN takes no write lock, so the test's own
            # transactions on these aliases do not wait on the default one's (same file).
            DATABASES[_alias]["OPTIONS"] = {**DATABASES[_alias]["OPTIONS"], "transaction_mode": "DEFERRED"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ledgers.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt for a username+IP that is locked out.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading each request's user with their unit and bureau in one query.
    "wenming.backends.ScopedModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Media is never served as a public folder: every file goes through a view that checks
# who may see it (see ledgers' file views). Only the storage API touches it, so STORAGES
# can point at an S3-compatible store without code changes.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local").strip().lower()
if STORAGE_BACKEND == "s3":
    # An S3-compatible object store (AWS S3, MinIO, Ceph, OSS/COS S3 endpoints) through
    # django-storages; only named here as a string, so it is imported only when used.
    # Files stay private: no public ACL, and every URL handed out is signed.
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # A key prefix inside the bucket (several installs or test runs may share one bucket).
            "location": os.environ.get("AWS_LOCATION", ""),
            # Presigned URLs live at most 5 minutes (docs/operations.md, "Object store").
            "querystring_expire": 300,
            # SeaweedFS, MinIO and most S3-compatible stores want path-style addressing.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Files read through the storage (binder photos, backups) spill to the system temp
            # folder above 5 MB instead of staying in memory.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
elif STORAGE_BACKEND == "local":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("STORAGE_BACKEND 只能是 local 或 s3。")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Page parts and month summaries kept per app process until their data changes (ledgers.versions).
VERSIONED_CACHE_MB = int(os.environ.get("VERSIONED_CACHE_MB", "64"))
# A cached part that reads a table no data version follows: an error in tests, in production a
# warning in the log and the part is not cached.
VERSIONED_STRICT = TESTING

# Uploads: one file at most UPLOAD_MAX_MB (photos, scans, attachments).
UPLOAD_MAX_MB = int(os.environ.get("UPLOAD_MAX_MB", "20"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# <select> options written in Python (same HTML as Django's templates, several times faster).
FORM_RENDERER = "wenming.form_renderer.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions end after SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "120")) * 60
# Pushed forward on a request once it lags by a minute, not re-written on every request.
SESSION_ENGINE = "wenming.sessions"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A Chinese page (templates/403_csrf.html) when a form's CSRF token is missing or forged.
CSRF_FAILURE_VIEW = "wenming.views.csrf_failure"

# Production (DEBUG=0): cookies only over HTTPS, HSTS, HTTP redirected to HTTPS.
# Behind a reverse proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto
# (the proxy must overwrite that header); SECURE_SSL_REDIRECT=0 if the proxy redirects itself.
# The test suite (and its browser tests) talk plain HTTP to a local server: HTTPS-only
# defaults are off there; tests/ops/test_production.py checks them in a real process.
HTTPS_ONLY = not DEBUG and not TESTING
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS_ONLY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_ONLY)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS_ONLY else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"), "https"
    )
# Preloading is a deliberate submission of a public domain to the browsers' lists; bureau
# intranets cannot be preloaded, so the --deploy hint about it is silenced unless opted in.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy: scripts only from our own static files (no inline script, no
# on...= handlers, no eval). Inline styles stay allowed: the Django admin and Bootstrap
# set style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login protection (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user
# name from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Behind a reverse proxy every request comes from the proxy's address: set the number of
# proxies in front (usually 1) so the client address is read from X-Forwarded-For (the entry
# our proxy appended; forged entries to its left are ignored): wenming/client_ip.py.
CLIENT_IP_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT") or 0)
AXES_CLIENT_IP_CALLABLE = "wenming.client_ip.client_ip"

# Background jobs (django-tasks with its database backend: the queue is a table in our own
# database; `manage.py db_worker` runs them). See reports/jobs/__init__.py and docs/architecture.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job writes a heartbeat every JOBS_HEARTBEAT_SECONDS; one silent for
# JOBS_LEASE_SECONDS is taken as dead (worker killed) and retried or failed.
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "10"))
JOBS_LEASE_SECONDS = float(os.environ.get("JOBS_LEASE_SECONDS", "60"))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "2"))
# Finished files are kept this many days, job rows JOBS_KEEP_ROWS_DAYS.
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", "7"))
JOBS_KEEP_ROWS_DAYS = int(os.environ.get("JOBS_KEEP_ROWS_DAYS", "30"))
# Seconds to pause at each progress step: 0 in production; tests and demos slow jobs down
# to watch the bar move and to kill a worker mid-job.
JOBS_STEP_DELAY = float(os.environ.get("JOBS_STEP_DELAY", "0"))

# Notifications (消息提醒, docs/features.md). Mail goes through SMTP when
# EMAIL_HOST is set; without it (bin/serve, a laptop) mails are printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "文明创建工作台账 <noreply@localhost>")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend")
# Links in mails and robot messages point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The daily digest (日结日清), local time HH:MM; retries of failed sends: NOTIFY_RETRY_SECONDS
# after the first failure, doubling, at most NOTIFY_MAX_ATTEMPTS tries in all.
NOTIFY_DIGEST_TIME = os.environ.get("NOTIFY_DIGEST_TIME", "08:00")
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))
NOTIFY_RETRY_SECONDS = float(os.environ.get("NOTIFY_RETRY_SECONDS", "60"))
NOTIFY_WEBHOOK_TIMEOUT = float(os.environ.get("NOTIFY_WEBHOOK_TIMEOUT", "10"))
# 待复查超过 N 天: how long an answered problem may wait for the inspectors' re-check before it is
# their figure on the bureau's pages and digests (never the unit's overdue: ledgers.rules).
RECHECK_WAIT_DAYS = int(os.environ.get("RECHECK_WAIT_DAYS", "2"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # WeasyPrint reports every unsupported CSS property; keep only real problems.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # What the jobs and the daily upkeep did (started, finished, removed files).
        "reports.jobs": {"level": "INFO"},
        "reports.jobs.upkeep": {"level": "INFO"},
        "ledgers.notifications": {"level": "INFO"},
    },
}
