"""Accounts and access: users, groups, object permissions and API tokens."""

from __future__ import annotations

import hashlib
import secrets

import peewee

from app.db import BaseModel
from app.db import JSONField
from app.db import utcnow


class User(BaseModel):
    username = peewee.CharField(max_length=150, unique=True)
    email = peewee.CharField(max_length=254, default="")
    first_name = peewee.CharField(max_length=150, default="")
    last_name = peewee.CharField(max_length=150, default="")
    password_hash = peewee.CharField(max_length=255, default="")
    is_active = peewee.BooleanField(default=True)
    is_staff = peewee.BooleanField(default=False)
    is_superuser = peewee.BooleanField(default=False)
    date_joined = peewee.DateTimeField(default=utcnow)
    last_login = peewee.DateTimeField(null=True)

    def __str__(self):
        return self.username

    def save(self, *args, **kwargs):
        # Every path that changes a password or deactivates a user (admin form, profile, API, CLI)
        # saves through here, so none of them can forget to end the user's sessions.
        dirty = {field.name for field in self.dirty_fields}
        deactivated = "is_active" in dirty and not self.is_active
        ends_sessions = self.id is not None and ("password_hash" in dirty or deactivated)
        saved = super().save(*args, **kwargs)
        if ends_sessions:
            UserSession.end_all(self)
        return saved

    # werkzeug is imported on use: job workers load this model but never hash passwords.
    def set_password(self, raw_password: str) -> None:
        from werkzeug.security import generate_password_hash

        self.password_hash = generate_password_hash(raw_password)

    def check_password(self, raw_password: str) -> bool:
        from werkzeug.security import check_password_hash

        return bool(self.password_hash) and check_password_hash(self.password_hash, raw_password)

    def has_perm(self, perm: str, obj=None) -> bool:
        """Django-style check, e.g. ``user.has_perm("extras.run_job", job_record)``."""
        from app.security import has_django_perm

        return has_django_perm(self, perm, obj)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    # Flask-Login stores this (``login_manager.id_attribute``) in the session and the remember-me
    # cookie instead of the user id: the key of the UserSession row the request was loaded through.
    session_key: str | None = None

    def get_session_key(self) -> str | None:
        return self.session_key

    @property
    def display(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username


class Group(BaseModel):
    name = peewee.CharField(max_length=150, unique=True)

    def __str__(self):
        return self.name


class UserGroup(BaseModel):
    user = peewee.ForeignKeyField(User, backref="group_links", on_delete="CASCADE")
    group = peewee.ForeignKeyField(Group, backref="user_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "group"), True),)


class ObjectPermission(BaseModel):
    """Grants actions on object types, optionally narrowed by constraints.

    ``constraints`` is null (everything), a dict of field lookups such as
    ``{"grouping": "Reports"}``, or a list of such dicts (any may match), or
    ``{"id": [...]}`` / ``{"id__in": [...]}`` for explicit objects.
    """

    name = peewee.CharField(max_length=100, unique=True)
    description = peewee.CharField(max_length=200, default="")
    enabled = peewee.BooleanField(default=True)
    object_types = JSONField(default=list)
    actions = JSONField(default=list)
    constraints = JSONField(null=True)

    def __str__(self):
        return self.name


class PermissionUser(BaseModel):
    permission = peewee.ForeignKeyField(ObjectPermission, backref="user_links", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, backref="permission_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("permission", "user"), True),)


class PermissionGroup(BaseModel):
    permission = peewee.ForeignKeyField(ObjectPermission, backref="group_links", on_delete="CASCADE")
    group = peewee.ForeignKeyField(Group, backref="permission_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("permission", "group"), True),)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Token(BaseModel):
    """An API token. Only its SHA-256 is stored: the key is shown once, when created."""

    user = peewee.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    key_hash = peewee.CharField(max_length=64, unique=True)
    prefix = peewee.CharField(max_length=8)
    description = peewee.CharField(max_length=200, default="")
    created = peewee.DateTimeField(default=utcnow)
    expires = peewee.DateTimeField(null=True)
    last_used = peewee.DateTimeField(null=True)
    write_enabled = peewee.BooleanField(default=True)

    @classmethod
    def issue(cls, user, description="", expires=None, write_enabled=True) -> tuple["Token", str]:
        """Create a token; return it with its clear-text key (the only time the key exists)."""
        key = secrets.token_hex(20)
        token = cls.create(
            user=user,
            key_hash=hash_token(key),
            prefix=key[:8],
            description=description,
            expires=expires,
            write_enabled=write_enabled,
        )
        return token, key

    @classmethod
    def lookup(cls, key: str):
        """The live token for key, or None (unknown or expired)."""
        token = cls.get_or_none(cls.key_hash == hash_token(key))
        if token is None or (token.expires is not None and token.expires <= utcnow()):
            return None
        return token

    @property
    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= utcnow()


class LoginFailure(BaseModel):
    """Failure counters for login throttling, shared by web worker processes.

    ``key`` is ``"<username>|<address>"`` for the per-user limit or ``"<address>"`` (no ``|``)
    for the per-address one.
    """

    key = peewee.CharField(max_length=300, unique=True)
    count = peewee.IntegerField(default=0)
    first_failure = peewee.DateTimeField(default=utcnow)
    last_failure = peewee.DateTimeField(default=utcnow)


class UserSession(BaseModel):
    """A logged-in browser session. The cookie holds the key; only its SHA-256 is stored here.

    Deleting the row ends the session, whoever holds a copy of its cookie (or remember-me cookie).
    """

    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    key_hash = peewee.CharField(max_length=64, unique=True)
    created = peewee.DateTimeField(default=utcnow)
    expires = peewee.DateTimeField(index=True)
    address = peewee.CharField(max_length=100, default="")
    user_agent = peewee.CharField(max_length=300, default="")

    @classmethod
    def open(cls, user: User, lifetime, address: str = "", user_agent: str = "") -> str:
        """Start a session for user; return its key (the only time the key exists in clear)."""
        key = secrets.token_urlsafe(32)
        now = utcnow()
        cls.delete().where(cls.expires <= now).execute()
        cls.create(
            user=user,
            key_hash=hash_token(key),
            created=now,
            expires=now + lifetime,
            address=address[:100],
            user_agent=user_agent[:300],
        )
        return key

    @classmethod
    def user_for(cls, key: str):
        """The active user of the live session ``key``, or None: one indexed query."""
        user = (
            User.select()
            .join(cls)
            .where((cls.key_hash == hash_token(key)) & (cls.expires > utcnow()) & (User.is_active == True))  # noqa: E712
            .first()
        )
        if user is not None:
            user.session_key = key
        return user

    @classmethod
    def end(cls, key: str) -> None:
        cls.delete().where(cls.key_hash == hash_token(key)).execute()

    @classmethod
    def end_all(cls, user: User) -> None:
        cls.delete().where(cls.user == user.id).execute()


class FailedLogin(BaseModel):
    """One refused login, for the admin page "Failed logins". The password tried is never kept."""

    created = peewee.DateTimeField(default=utcnow, index=True)
    username = peewee.CharField(max_length=150)
    address = peewee.CharField(max_length=100, default="")
    user_agent = peewee.CharField(max_length=300, default="")
    reason = peewee.CharField(max_length=200)

    def __str__(self):
        return f"{self.username} from {self.address or 'unknown address'}"
