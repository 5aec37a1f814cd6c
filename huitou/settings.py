"""Django settings for Huitou, read from environment variables through core.env."""

import secrets
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from core.env import (
    env_bool,
    env_decimal,
    env_float,
    env_int,
    env_int_pairs,
    env_list,
    env_str,
    env_time,
)

# Lets admin and form classes take type parameters at run time, as the stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HUITOU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or one kept in var/ for a single machine."""
    from_env = env_str("SECRET_KEY")
    if from_env:
        return from_env
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Behind TLS (HTTPS=true) every cookie is secure and plain HTTP is redirected.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "axes",
    "core",
    "huitou",
    "accounts",
    "customers",
    "sales",
    "interactions",
    "imports",
    "insights",
    "engagement",
    "service",
    "loyalty",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.actors.ActorMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "core.text.NulQueryMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "core.busy.BusyDatabaseMiddleware",
    "core.errors.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huitou.urls"
WSGI_APPLICATION = "huitou.wsgi.application"

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
                "django.template.context_processors.i18n",
                "huitou.context_processors.huitou",
            ],
        },
    },
]


# How long a write waits for SQLite's single write lock before the request answers "busy,
# try again" (core.busy) rather than keeping the user waiting behind a long import.
SQLITE_BUSY_TIMEOUT_MS = env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)


def _database() -> dict[str, object]:
    """Return the default database: DATABASE_URL, or SQLite in WAL mode under var/."""
    url = env_str("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "huitou.sqlite3",
        # Reusing the connection saves re-running the PRAGMAs and re-reading the schema on
        # every request; memory-mapped reads let big lists skip SQLite's page cache.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # WAL lets readers work while the worker writes; IMMEDIATE avoids
            # "database is locked" when two writers upgrade read locks at once. The log is
            # folded back into the database every 20,000 pages (80 MB) rather than 1,000:
            # each fold syncs the disk, and with the default a stream of 1,000-order bulk
            # writes spent a third of its time there (docs/performance.md).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}; PRAGMA cache_size=-64000; "
                "PRAGMA mmap_size=8589934592; PRAGMA wal_autocheckpoint=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# "utc": False: the periodic jobs' hours (SCORING_HOUR, MORNING_RUN_HOUR) are read in
# TIME_ZONE, which Django sets as the process's local time; Huey's default reads them in UTC,
# which ran the "02:00" scoring at 10:00 in Shanghai.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "huitou",
        "url": REDIS_URL,
        "immediate": False,
        "utc": False,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "huitou_cache",
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "huitou",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "utc": False,
    }

# Content Security Policy on every response: scripts only from our own static files (no
# inline script, no CDN). Inline styles stay allowed: ECharts, Swagger UI and the progress
# bars set element styles, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# A rep starts the day on Today (今日待办), the list of whom to contact and why.
LOGIN_REDIRECT_URL = "engagement:today"
LOGOUT_REDIRECT_URL = "accounts:login"

# A burst of wrong passwords for one username locks it for a while; attempts are kept
# in the database so every app process sees the same count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
# Locking by username, not IP: a whole office shares one IP behind NAT, and one
# colleague's typos must not lock everybody else out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Wrong API tokens from one client address: after API_TOKEN_FAILURE_LIMIT of them within
# API_TOKEN_LOCK_MINUTES, bearer requests from it answer 429 until the window ends
# (core.ratelimit). Counted per address, since a wrong token names no user.
API_TOKEN_FAILURE_LIMIT = env_int("API_TOKEN_FAILURE_LIMIT", 20)
API_TOKEN_LOCK_MINUTES = env_int("API_TOKEN_LOCK_MINUTES", 15)

# Sessions end after this much inactivity; every request renews the clock.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
# Idle sign-out on the server: the expiry moves back at most every SESSION_REFRESH_SECONDS
# (accounts.middleware.SessionIdleMiddleware), so reading a page does not write.
SESSION_REFRESH_SECONDS = min(300, SESSION_COOKIE_AGE // 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 2_621_440)

# Business settings.
CURRENCY = env_str("CURRENCY", "CNY")
RETURNING_CUSTOMER_DAYS = env_int("RETURNING_CUSTOMER_DAYS", 365)
# Domain events are kept this long after every subscriber has them (core.events).
EVENT_RETENTION_DAYS = env_int("EVENT_RETENTION_DAYS", 90)
# The roles that may refund an order and reinstate a refund (accounts.access.can_refund);
# checked against the known roles at start-up (AccountsConfig.ready).
REFUND_ROLES = env_list("REFUND_ROLES", ["manager", "admin"])
# The working calendar (core.calendar): working hours with a lunch break, in this zone;
# checked at start-up (CoreConfig.ready).
WORKING_DAY_START = env_time("WORKING_DAY_START", time(9, 0))
WORKING_DAY_END = env_time("WORKING_DAY_END", time(18, 0))
LUNCH_START = env_time("LUNCH_START", time(12, 0))
LUNCH_END = env_time("LUNCH_END", time(13, 0))
WORKING_TIME_ZONE = env_str("WORKING_TIME_ZONE", "Asia/Shanghai")

# Outbound messages (engagement): the one send path's policy and channels. Quiet hours are
# read in the customer's time zone (their own, or CUSTOMER_TIME_ZONE when they have none);
# inside them an SMS or email waits until the end, it is not dropped. The cap counts
# marketing and care contacts across channels over rolling windows.
CUSTOMER_TIME_ZONE = env_str("CUSTOMER_TIME_ZONE", "Asia/Shanghai")
QUIET_HOURS_START = env_time("QUIET_HOURS_START", time(21, 0))
QUIET_HOURS_END = env_time("QUIET_HOURS_END", time(9, 0))
CONTACT_CAP_7_DAYS = env_int("CONTACT_CAP_7_DAYS", 2)
CONTACT_CAP_30_DAYS = env_int("CONTACT_CAP_30_DAYS", 4)
# Caps by the customer's value tier in the latest scoring run, 7-day/30-day: "A:3/6,B:2/4".
# A tier not named, and a customer without a score, has the two caps above.
CONTACT_CAPS_BY_TIER = env_int_pairs("CONTACT_CAPS_BY_TIER", {})
MESSAGE_MAX_ATTEMPTS = env_int("MESSAGE_MAX_ATTEMPTS", 5)
# The morning run (engagement.morning) plans the day at this hour, in the working time zone:
# after the nightly scoring (SCORING_HOUR), so tiers and warnings are fresh, and before the
# quiet hours end, so the day's greetings leave at 09:00.
MORNING_RUN_HOUR = env_int("MORNING_RUN_HOUR", 6)
# Campaigns (engagement.campaigns): larger ones wait for another manager's approval; the
# optional global control holds this share of all customers out of every campaign (0: none),
# chosen by a keyed hash of the customer's id, so it stays the same group.
CAMPAIGN_APPROVAL_SIZE = env_int("CAMPAIGN_APPROVAL_SIZE", 1000)
CAMPAIGN_GLOBAL_CONTROL_PERCENT = env_float("CAMPAIGN_GLOBAL_CONTROL_PERCENT", 0.0)
CAMPAIGN_GLOBAL_CONTROL_SALT = env_str("CAMPAIGN_GLOBAL_CONTROL_SALT", "huitou-global-control")
# Where links in messages (unsubscribe) point: the address customers reach the app at.
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Email through Django's SMTP backend; with no EMAIL_HOST, mail goes to the local sink
# (engagement.SinkMessage, readable in the admin).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "huitou@localhost")
# SMS through Tencent Cloud SMS; with no TENCENT_SMS_SECRET_ID, SMS goes to the local sink.
TENCENT_SMS_SECRET_ID = env_str("TENCENT_SMS_SECRET_ID")
TENCENT_SMS_SECRET_KEY = env_str("TENCENT_SMS_SECRET_KEY")
TENCENT_SMS_APP_ID = env_str("TENCENT_SMS_APP_ID")
TENCENT_SMS_SIGN_NAME = env_str("TENCENT_SMS_SIGN_NAME")
TENCENT_SMS_REGION = env_str("TENCENT_SMS_REGION", "ap-guangzhou")
# The API host; a test points it at a stand-in on loopback (with the http scheme).
TENCENT_SMS_ENDPOINT = env_str("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
TENCENT_SMS_SCHEME = env_str("TENCENT_SMS_SCHEME", "https")
# What one billed SMS costs (Tencent reports how many a message took), recorded per message.
SMS_UNIT_PRICE = Decimal(str(env_float("SMS_UNIT_PRICE", 0.05)))
# The Tencent template id per message template code, "code=id,code=id" (SMS needs an
# approved template; the text is rendered here only for the record and the sink).
TENCENT_SMS_TEMPLATES = dict(
    item.split("=", 1) for item in env_list("TENCENT_SMS_TEMPLATES", []) if "=" in item
)

# Stored answers to idempotent API writes (a retry replays them) are deleted after this many
# days, uploaded import files and the cells of rejected rows after IMPORT_RETENTION_DAYS:
# past that they are only copies of personal data (a scheduled job prunes them nightly).
IDEMPOTENCY_RETENTION_DAYS = env_int("IDEMPOTENCY_RETENTION_DAYS", 7)
IMPORT_RETENTION_DAYS = env_int("IMPORT_RETENTION_DAYS", 30)
INSIGHTS = {
    "returning_days": RETURNING_CUSTOMER_DAYS,
    "tier_window_days": env_int("TIER_WINDOW_DAYS", 365),
    "tier_shares": (env_float("TIER_A_SHARE", 0.80), env_float("TIER_AB_SHARE", 0.95)),
    "churn_horizon_days": env_int("CHURN_HORIZON_DAYS", 90),
    "churn_threshold": env_float("CHURN_RISK_THRESHOLD", 0.9),
    "lost_after_days": env_int("LOST_AFTER_DAYS", 180),
    "clv_months": env_int("CLV_MONTHS", 12),
    "margin": env_float("CLV_MARGIN", 0.3),
    "monthly_discount_rate": env_float("CLV_MONTHLY_DISCOUNT_RATE", 0.01),
    # A repeat buyer's mean spend above this many times the median counts at that cap in the
    # spend model (insights/stats/diagnostics.py); 0 turns the cap off.
    "spend_cap_factor": env_float("SPEND_CAP_FACTOR", 20.0),
    "overdue_factor": env_float("OVERDUE_FACTOR", 2.5),
    "overdue_min_days": env_int("OVERDUE_MIN_DAYS", 30),
    "decline_ratio": env_float("DECLINE_RATIO", 0.4),
    "period_days": env_int("DECLINE_PERIOD_DAYS", 90),
    "periods": env_int("DECLINE_PERIODS", 5),
    "keep_runs": env_int("SCORE_RUNS_KEPT", 14),
    "nightly_hour": env_int("SCORING_HOUR", 2),
}
# Arrays the analyses keep between runs (core.analysis_cache), among them every paid order
# collapsed by customer and day (sales.purchases), read in full again after this many days.
ANALYSIS_CACHE_DIR = Path(env_str("ANALYSIS_CACHE_DIR", str(VAR_DIR / "cache")))
PURCHASE_CACHE_MAX_AGE_DAYS = env_int("PURCHASE_CACHE_MAX_AGE_DAYS", 7)
# Changes are looked for from this many seconds before the last check, for transactions that
# began before it and committed after it (later ones still show in the totals it compares).
PURCHASE_CACHE_CHANGE_MARGIN = env_float("PURCHASE_CACHE_CHANGE_MARGIN", 60.0)
CUSTOMERS_PER_PAGE = env_int("CUSTOMERS_PER_PAGE", 25)
# Export files the worker writes (XLSX always, CSV above EXPORT_STREAM_ROWS rows); a smaller
# CSV streams in the request. Each file is served only to the user who asked for it.
EXPORTS_DIR = Path(env_str("EXPORTS_DIR", str(VAR_DIR / "exports")))
EXPORT_STREAM_ROWS = env_int("EXPORT_STREAM_ROWS", 2000)
API_MAX_BULK_ORDERS = env_int("API_MAX_BULK_ORDERS", 1000)

# Loyalty tiers and discounts (loyalty.tiers, loyalty.discounts). A review that finds the
# 12-month spend below the member's tier keeps the tier this many days before the spend on
# that day decides. The quote applies the best single discount ("best") or every discount
# that applies, one after the other ("all"); checked at start-up (LoyaltyConfig.ready).
LOYALTY_TIER_GRACE_DAYS = env_int("LOYALTY_TIER_GRACE_DAYS", 90)
LOYALTY_DISCOUNT_STACKING = env_str("LOYALTY_DISCOUNT_STACKING", "best")
# Points earned in the birthday month count this many times; what one point is worth, for
# the points liability on the loyalty page.
LOYALTY_BIRTHDAY_POINTS_MULTIPLIER = Decimal(
    str(env_float("LOYALTY_BIRTHDAY_POINTS_MULTIPLIER", 2.0))
)
LOYALTY_POINT_VALUE = Decimal(str(env_float("LOYALTY_POINT_VALUE", 0.10)))

# Log lines carry no personal data: an exception's message may quote a stored value (a
# name, a mobile in a database error), so tracebacks are written without them (core.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"redacted": {"()": "core.logs.RedactingFormatter"}},
    "filters": {"refusal_without_traceback": {"()": "core.logs.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "redacted"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"filters": ["refusal_without_traceback"]}},
}

# Service tickets (service.routing, service.views). New tickets go to an available agent
# covering their category and channel (A-tier customers to senior agents): "least_loaded"
# (fewest open tickets) or "round_robin" (longest since their last new ticket).
SERVICE_ROUTING = env_str("SERVICE_ROUTING", "least_loaded")
# The public web form: at most SERVICE_WEB_FORM_LIMIT tickets per client address within
# SERVICE_WEB_FORM_MINUTES; a form sent back sooner than SERVICE_WEB_FORM_MIN_SECONDS after
# it was shown came from a script. A customer the form does not find is created for
# SERVICE_WEB_FORM_OWNER (a username; blank: the first active admin).
SERVICE_WEB_FORM_LIMIT = env_int("SERVICE_WEB_FORM_LIMIT", 5)
SERVICE_WEB_FORM_MINUTES = env_int("SERVICE_WEB_FORM_MINUTES", 60)
SERVICE_WEB_FORM_MIN_SECONDS = env_int("SERVICE_WEB_FORM_MIN_SECONDS", 3)
SERVICE_WEB_FORM_OWNER = env_str("SERVICE_WEB_FORM_OWNER", "")
# Satisfaction surveys after a ticket closes (service.surveys): the link's life, what counts
# as a low score (a callback for the owner and a churn-warning reason), and how long a low
# answer stays a warning reason.
SURVEY_VALID_DAYS = env_int("SURVEY_VALID_DAYS", 14)
SURVEY_LOW_CSAT = env_int("SURVEY_LOW_CSAT", 2)
SURVEY_LOW_NPS = env_int("SURVEY_LOW_NPS", 6)
SURVEY_WARNING_DAYS = env_int("SURVEY_WARNING_DAYS", 90)
# Standard answers are reviewed this many days after their last review (service.answers).
STANDARD_ANSWER_REVIEW_DAYS = env_int("STANDARD_ANSWER_REVIEW_DAYS", 180)
# A goodwill gift costing more than this needs a manager's approval (service.gifts).
GIFT_APPROVAL_LIMIT = env_decimal("GIFT_APPROVAL_LIMIT", "200.00")
# Loyalty points (loyalty.points): earned per ¥100 of a paid order (rounded down once, after
# the multipliers), confirmed after a delay (a refund inside it cancels them), expiring
# months after they were earned, soonest first. Orders dated before the programme's start
# (YYYY-MM-DD; empty: no start) earn nothing unless an admin backfills them. A manager's
# adjustment above the limit waits for a second manager.
LOYALTY_POINTS_PER_100 = env_int("LOYALTY_POINTS_PER_100", 10)
LOYALTY_CONFIRMATION_DAYS = env_int("LOYALTY_CONFIRMATION_DAYS", 7)
LOYALTY_EXPIRY_MONTHS = env_int("LOYALTY_EXPIRY_MONTHS", 12)
LOYALTY_EXPIRY_WARNING_DAYS = env_int("LOYALTY_EXPIRY_WARNING_DAYS", 30)
LOYALTY_PROGRAMME_START = env_str("LOYALTY_PROGRAMME_START", "")
LOYALTY_ADJUSTMENT_APPROVAL_LIMIT = env_int("LOYALTY_ADJUSTMENT_APPROVAL_LIMIT", 1000)
# The hour (in TIME_ZONE) of the nightly points expiry and warnings.
LOYALTY_NIGHT_HOUR = env_int("LOYALTY_NIGHT_HOUR", 1)
# Referrals (loyalty.referrals): the referrer's reward once the referred customer's first paid
# order has stood this many days without a refund; "credit" (REFERRAL_REWARD_CREDIT in the
# currency) or "points" (REFERRAL_REWARD_POINTS); at most REFERRAL_MONTHLY_CAP rewards per
# referrer and calendar month (0: no cap).
REFERRAL_REFUND_WINDOW_DAYS = env_int("REFERRAL_REFUND_WINDOW_DAYS", 7)
REFERRAL_REWARD_KIND = env_str("REFERRAL_REWARD_KIND", "credit")
REFERRAL_REWARD_CREDIT = env_str("REFERRAL_REWARD_CREDIT", "100.00")
REFERRAL_REWARD_POINTS = env_int("REFERRAL_REWARD_POINTS", 1000)
REFERRAL_MONTHLY_CAP = env_int("REFERRAL_MONTHLY_CAP", 5)
