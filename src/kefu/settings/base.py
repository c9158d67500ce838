"""All of Kefu's settings. The environment decides production values; see the README's table.

Development (the default) needs no configuration at all: PostgreSQL and Redis are embedded
servers started from Python with their data under ``KEFU_DATA_DIR`` (``.kefu/`` in the checkout).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kefu.observability import init_sentry, logging_config

CHECKOUT_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = Path(__file__).resolve().parents[1]

KEFU_ENV = os.environ.get("KEFU_ENV", "development")
if KEFU_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"KEFU_ENV must be development, test or production, not {KEFU_ENV!r}"
    )
PRODUCTION = KEFU_ENV == "production"
TESTING = KEFU_ENV == "test"

DATA_DIR = Path(os.environ.get("KEFU_DATA_DIR", CHECKOUT_DIR / ".kefu")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _development_secret_key() -> str:
    """A key generated on first run and kept in the data folder (never in the repo)."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


#: Nearest entries by meaning a search takes from each HNSW index, and so the graph walk's
#: breadth (pgvector's ``hnsw.ef_search``, 40 by default): the walk's time grows with it.
KEFU_SEARCH_SEMANTIC_CANDIDATES = 20


def database_from_url(url: str) -> dict[str, object]:
    """A Django DATABASES entry (django-tenants backend) from a postgres:// URL.

    Sessions start with ``hnsw.ef_search`` set (a startup option, so no round trip per search
    or per connection); options given in the URL are kept."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgresql:// URL: Kefu needs PostgreSQL schemas "
            f"(got scheme {parts.scheme!r})."
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    startup = f"-c hnsw.ef_search={KEFU_SEARCH_SEMANTIC_CANDIDATES}"
    query["options"] = f"{query['options']} {startup}" if query.get("options") else startup
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("KEFU_DB_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": query,
    }


# --- Secrets, debug, hosts ----------------------------------------------------------------

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    SECRET_KEY = _development_secret_key()

DEBUG = _env_bool("KEFU_DEBUG", KEFU_ENV == "development")

#: Tenants answer at <slug>.<root domain>; signup and operator pages at the root domain.
ROOT_DOMAIN = os.environ.get("KEFU_ROOT_DOMAIN", "localhost").lower()
# Custom domains are Domain rows, so the host list cannot be static: the tenant middleware
# answers only hosts that are in the Domain table and gives every other host a 404.
ALLOWED_HOSTS = _env_list("KEFU_ALLOWED_HOSTS", ["*"])
#: The port people reach Kefu on, for links in mail (empty: the scheme's default port).
KEFU_PUBLIC_PORT = int(os.environ.get("KEFU_PUBLIC_PORT", "0")) or None

# --- Database and broker --------------------------------------------------------------------

EMBEDDED_POSTGRES = None
EMBEDDED_REDIS = None

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set in production.")
    from kefu.embedded import EmbeddedPostgres

    EMBEDDED_POSTGRES = EmbeddedPostgres(
        DATA_DIR / ("test-pgdata" if TESTING else "pgdata"), durable=not TESTING
    ).start()
    DATABASE_URL = EMBEDDED_POSTGRES.url

REDIS_URL = os.environ.get("REDIS_URL", "")
if not REDIS_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("REDIS_URL must be set in production (the job broker).")
    from kefu.embedded import EmbeddedRedis

    EMBEDDED_REDIS = EmbeddedRedis(DATA_DIR / ("test-redis" if TESTING else "redis")).start()
    REDIS_URL = EMBEDDED_REDIS.url

#: The cache (rate limits, sessions' helpers) lives apart from the job queues, so clearing it
#: never drops a job. Embedded Redis: database 1 of the same server.
CACHE_URL = os.environ.get("KEFU_CACHE_URL", "") or (
    f"{REDIS_URL}?db=1" if REDIS_URL.startswith("unix://") else REDIS_URL
)

DATABASES = {"default": database_from_url(DATABASE_URL)}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications ---------------------------------------------------------------------------

SHARED_APPS = [
    # Our tenants app first: its migrate/migrate_schemas commands refresh the template schema.
    "tenants",
    # Django's admin templates before django_tenants' copies, whose inline styles the
    # Content-Security-Policy blocks (they grey out tenant apps; none is in Kefu's admin).
    "django.contrib.admin",
    "django_tenants",
    "billing",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_dramatiq",
    "anymail",
    "kefu.core",
    # Operators are users in the public schema; tenant users are the same model in each tenant.
    "kefu.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "kefu.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "kefu.kb",
    "kefu.search",
    "kefu.portal",
    "kefu.contacts",
    "kefu.tickets",
    "kefu.messaging",
    "kefu.desk",
    "billing.metering",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "kefu.urls_public"
ROOT_URLCONF = "kefu.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "kefu.core.views.unknown_host"
AUTH_USER_MODEL = "accounts.User"

#: Schema kept migrated; new tenants are copies of it.
KEFU_TEMPLATE_SCHEMA = "_kefu_template"
#: Ready, unassigned schemas kept warm so signup only renames one.
KEFU_SCHEMA_POOL_SIZE = int(os.environ.get("KEFU_SCHEMA_POOL_SIZE", "3"))

MIDDLEWARE = [
    # First: turns "the database is down" anywhere below (the host lookup included) into a 503
    # (that page sets its own policy).
    "kefu.core.unavailable.DatabaseUnavailableMiddleware",
    # Next, so every other answer gets the policy, including those of the tenant middleware.
    "csp.middleware.CSPMiddleware",
    # Text answers (pages, JSON, and static files served uncompressed outside production) go
    # out gzipped to clients that accept it; files, already compressed answers and binary types
    # pass untouched. Above WhiteNoise, which serves precompressed files itself in production.
    "kefu.core.middleware.TextGZipMiddleware",
    # Static files need neither a workspace nor the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kefu.core.middleware.TenantMiddleware",
    "kefu.core.middleware.UnstorableTextMiddleware",
    "kefu.core.middleware.WorkspaceTimezoneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.middleware.SuspendedWorkspaceMiddleware",
    "kefu.desk.middleware.DeskPresenceMiddleware",
    "billing.middleware.ReadOnlyWorkspaceMiddleware",
    "kefu.contacts.middleware.ContactVisitorMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The web process serves static files itself, DEBUG or not (``kefu run`` runs without DEBUG):
# in production collected at build time, elsewhere straight from the apps' folders.
WHITENOISE_USE_FINDERS = not PRODUCTION

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.core.context_processors.kefu",
                "billing.context_processors.billing_banner",
                "csp.context_processors.nonce",
            ],
        },
    }
]

WSGI_APPLICATION = "kefu.wsgi.application"
ASGI_APPLICATION = "kefu.asgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Accounts (django-allauth, inside each tenant schema) -------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "kefu.accounts.adapter.AccountAdapter"
MFA_ADAPTER = "kefu.accounts.adapter.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Reset tokens carry the workspace in their salt (every workspace shares SECRET_KEY).
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "kefu.accounts.tokens.WorkspacePasswordResetTokenGenerator"  # noqa: S105 - a class path
#: Failed logins: 10 a minute per IP and 5 per 5 minutes per account, then a clear lock message.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("KEFU_LOGIN_FAILED_LIMIT", "10/m/ip,5/300s/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kefu"
# Owners sign up before they verify their address; they must still be able to protect the account.
MFA_ALLOW_UNVERIFIED_EMAIL = True

#: Root-domain rate limits ("count/seconds"), per client IP and per email address.
KEFU_SIGNUP_LIMIT_PER_IP = os.environ.get("KEFU_SIGNUP_LIMIT_PER_IP", "10/3600")
KEFU_SIGNUP_LIMIT_PER_EMAIL = os.environ.get("KEFU_SIGNUP_LIMIT_PER_EMAIL", "3/3600")
KEFU_SUBDOMAIN_CHECK_LIMIT_PER_IP = os.environ.get("KEFU_SUBDOMAIN_CHECK_LIMIT_PER_IP", "120/60")
#: "Find my workspace" mails sent per address and requests per IP ("count/seconds").
KEFU_FIND_WORKSPACE_LIMIT_PER_EMAIL = os.environ.get(
    "KEFU_FIND_WORKSPACE_LIMIT_PER_EMAIL", "3/3600"
)
KEFU_FIND_WORKSPACE_LIMIT_PER_IP = os.environ.get("KEFU_FIND_WORKSPACE_LIMIT_PER_IP", "20/3600")
#: How long a signup's sign-in handoff link stays valid.
KEFU_HANDOFF_TTL_SECONDS = 120
#: How long an invitation link stays valid.
KEFU_INVITATION_TTL_DAYS = 7

# --- Email -----------------------------------------------------------------------------------
# Outbound mail: KEFU_EMAIL_PROVIDER picks a django-anymail backend (mailgun, amazon_ses,
# postmark, ...) configured by its own variables (MAILGUN_API_KEY, ... or ANYMAIL_<SETTING>).
# Without a provider: kept in memory in tests, written to files a developer can read in
# development (KEFU_DATA_DIR/mail), SMTP in production; KEFU_EMAIL_BACKEND overrides all that.
# Stripe: the secret key (empty in development and tests: billing calls are then refused), and
# an optional API base URL (tests point it at a local stand-in; unset means Stripe itself).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
KEFU_STRIPE_API_BASE = os.environ.get("KEFU_STRIPE_API_BASE", "")
#: Verifies /billing/webhook/ deliveries (the endpoint's signing secret, whsec_...).
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
#: Seconds a webhook signature stays valid (Stripe's library default: 300).
KEFU_STRIPE_WEBHOOK_TOLERANCE = int(os.environ.get("KEFU_STRIPE_WEBHOOK_TOLERANCE", "300"))
#: After a failed payment, staff keep full access this many days (with a banner).
KEFU_BILLING_GRACE_DAYS = int(os.environ.get("KEFU_BILLING_GRACE_DAYS", "7"))
#: After cancellation the workspace's data is kept this many days before it may be deleted.
KEFU_BILLING_RETENTION_DAYS = int(os.environ.get("KEFU_BILLING_RETENTION_DAYS", "90"))
#: Currencies a workspace can pick for its prices (plans fall back to their own currency).
KEFU_BILLING_CURRENCIES = ("USD", "EUR", "GBP", "CNY", "HKD", "SGD", "JPY")

# Inbound mail: the provider's inbound webhook on the root domain (Mailgun: a route forwarding
# to https://<root>/email/inbound/mailgun_mime/, verified with MAILGUN_WEBHOOK_SIGNING_KEY).

EMAIL_PROVIDERS = (
    "amazon_ses", "brevo", "mailersend", "mailgun", "mailjet", "mailtrap", "mandrill", "postal",
    "postmark", "resend", "sendgrid", "sparkpost", "unisender_go",
)  # fmt: skip
EMAIL_PROVIDER = os.environ.get("KEFU_EMAIL_PROVIDER", "").strip().lower()
if EMAIL_PROVIDER and EMAIL_PROVIDER not in EMAIL_PROVIDERS:
    raise ImproperlyConfigured(
        f"KEFU_EMAIL_PROVIDER must be one of {', '.join(EMAIL_PROVIDERS)}, not {EMAIL_PROVIDER!r}"
    )
ANYMAIL: dict[str, object] = {
    # ANYMAIL_POSTMARK_SERVER_TOKEN=... becomes ANYMAIL["POSTMARK_SERVER_TOKEN"], and so on.
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}
for _name in (
    "MAILGUN_API_KEY", "MAILGUN_SENDER_DOMAIN", "MAILGUN_API_URL", "MAILGUN_WEBHOOK_SIGNING_KEY",
):  # fmt: skip
    if os.environ.get(_name):
        ANYMAIL[_name] = os.environ[_name]
if EMAIL_PROVIDER == "mailgun" and not ANYMAIL.get("MAILGUN_API_KEY"):
    raise ImproperlyConfigured("KEFU_EMAIL_PROVIDER=mailgun needs MAILGUN_API_KEY.")

EMAIL_BACKEND = os.environ.get(
    "KEFU_EMAIL_BACKEND",
    f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
    if EMAIL_PROVIDER
    else "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else (
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.filebased.EmailBackend"
    ),
)
EMAIL_FILE_PATH = os.environ.get("KEFU_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("KEFU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEFU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KEFU_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEFU_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("KEFU_EMAIL_USE_TLS", PRODUCTION)
DEFAULT_FROM_EMAIL = os.environ.get("KEFU_DEFAULT_FROM_EMAIL", f"Kefu <no-reply@{ROOT_DOMAIN}>")
#: Where workspace owners write to the platform (billing without Stripe, a suspension).
KEFU_SUPPORT_EMAIL = os.environ.get("KEFU_SUPPORT_EMAIL", f"support@{ROOT_DOMAIN}")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: The largest inbound webhook body accepted (the raw message with its attachments).
KEFU_INBOUND_EMAIL_MAX_BYTES = int(
    os.environ.get("KEFU_INBOUND_EMAIL_MAX_BYTES", str(40 * 1024 * 1024))
)

# --- Languages ------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files and per-tenant media ------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KEFU_STATIC_ROOT", DATA_DIR / "static"))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KEFU_MEDIA_ROOT", DATA_DIR / "media"))
# Files of tenant "acme" live under MEDIA_ROOT/t_acme/...: the path is computed per call.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "kefu.core.storage.TenantStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Cache (tenant-aware keys) ----------------------------------------------------------------

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "kefu-test" if TESTING else "kefu",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Background jobs ------------------------------------------------------------------------

#: A worker that died (killed, out of memory, machine lost) leaves its fetched jobs unacked in
#: Redis; another worker puts them back on their queue once the dead one has sent no heartbeat
#: for this long (dramatiq's default; a live worker beats at least every second) ...
KEFU_DRAMATIQ_HEARTBEAT_TIMEOUT_MS = int(
    os.environ.get("KEFU_DRAMATIQ_HEARTBEAT_TIMEOUT_MS", "60000")
)
#: ... at the first queue maintenance after that: each broker command runs it with this chance
#: per million. dramatiq's 1,000 can leave a quiet queue's jobs waiting a quarter of an hour;
#: at 10,000 a crashed worker's jobs run again within about two minutes (maintenance is a
#: sorted-set read while no worker is dead).
KEFU_DRAMATIQ_MAINTENANCE_CHANCE = int(os.environ.get("KEFU_DRAMATIQ_MAINTENANCE_CHANCE", "10000"))

DRAMATIQ_BROKER = {
    "BROKER": "dramatiq.brokers.redis.RedisBroker",
    "OPTIONS": {
        "url": REDIS_URL,
        "namespace": "kefu-test" if TESTING else "kefu",
        "heartbeat_timeout": KEFU_DRAMATIQ_HEARTBEAT_TIMEOUT_MS,
        "maintenance_chance": KEFU_DRAMATIQ_MAINTENANCE_CHANCE,
    },
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Retries",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["jobs"]
DRAMATIQ_TASKS_DATABASE = "default"

# --- Security -------------------------------------------------------------------------------

# Host-only cookies: a cookie set by acme.<root> is never sent to another tenant's host.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = _env_bool("KEFU_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
#: Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; with none, a client could
#: otherwise pick its own address and escape every per-address limit.
try:
    KEFU_TRUSTED_PROXIES = tuple(
        ipaddress.ip_network(proxy, strict=False) for proxy in _env_list("KEFU_TRUSTED_PROXIES", [])
    )
except ValueError as error:
    raise ImproperlyConfigured(f"KEFU_TRUSTED_PROXIES: {error}") from None
SECURE_HSTS_SECONDS = int(os.environ.get("KEFU_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
#: Scripts and styles only from our own static files, or inline with the response's nonce
#: (``nonce="{{ CSP_NONCE }}"``); no inline event handlers. The widget panel replaces
#: frame-ancestors (any site may frame it); every other page may not be framed at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        # data: for the QR code of two-factor setup; https: for images articles link to.
        "img-src": [csp.SELF, "data:", "https:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
    },
}
CSRF_FAILURE_VIEW = "kefu.core.error_pages.csrf_failure"

# --- Logging and errors ---------------------------------------------------------------------

LOGGING = logging_config(level=os.environ.get("KEFU_LOG_LEVEL", "INFO"))
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
init_sentry(
    dsn=SENTRY_DSN,
    environment=os.environ.get("SENTRY_ENVIRONMENT", KEFU_ENV),
    traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
)

#: Help center and API searches per client IP ("count/seconds").
KEFU_SEARCH_LIMIT_PER_IP = os.environ.get("KEFU_SEARCH_LIMIT_PER_IP", "120/60")
#: Semantic ranking with a bundled multilingual embedding model (see kefu.search.embeddings).
KEFU_SEMANTIC_SEARCH = _env_bool("KEFU_SEMANTIC_SEARCH", True)
#: Search ranking (see kefu.search.engine, .index, .learned and the README's search section);
#: read at call time, so a test can override them.
#: Share of the fused score from words (BM25); the rest is meaning (embeddings).
KEFU_SEARCH_LEXICAL_WEIGHT = float(os.environ.get("KEFU_SEARCH_LEXICAL_WEIGHT", "0.2"))
#: An article found by meaning alone must be at least this similar (e5 cosine).
KEFU_SEARCH_MIN_SIMILARITY = float(os.environ.get("KEFU_SEARCH_MIN_SIMILARITY", "0.86"))
#: Taken off question-to-question similarity so it compares fairly with question-to-passage.
KEFU_SEARCH_QUESTION_DISCOUNT = float(os.environ.get("KEFU_SEARCH_QUESTION_DISCOUNT", "0.03"))
#: When a learned phrasing counts for its article (kefu.search.learned).
KEFU_SEARCH_LEARNED_MARGIN = float(os.environ.get("KEFU_SEARCH_LEARNED_MARGIN", "0.02"))
KEFU_SEARCH_LEARNED_STRONG_MARGIN = float(
    os.environ.get("KEFU_SEARCH_LEARNED_STRONG_MARGIN", "0.05")
)
KEFU_SEARCH_LEARNED_OVERLAP = float(os.environ.get("KEFU_SEARCH_LEARNED_OVERLAP", "0.3"))
KEFU_SEARCH_LEARNED_OVERLAP_ALONE = float(
    os.environ.get("KEFU_SEARCH_LEARNED_OVERLAP_ALONE", "0.5")
)
KEFU_SEARCH_LEARNED_BONUS = float(os.environ.get("KEFU_SEARCH_LEARNED_BONUS", "0.1"))
