"""Who sits on the council: countries, regions, organisations, people, working groups."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from council.dbtypes import JSONText, enum_type
from council.extensions import Model
from council.i18n import Translations, search_key
from council.sealing import seal, unseal
from council.timeutil import utcnow


class DirectoryEvent(StrEnum):
    """The kinds of event the directory records (stored as these strings in event.kind)."""

    ORGANISATION_CREATED = "organisation.created"
    ORGANISATION_UPDATED = "organisation.updated"
    GROUP_CREATED = "group.created"
    GROUP_UPDATED = "group.updated"
    GROUP_CO_CHAIR_CHANGED = "group.co_chair_changed"
    MEMBERSHIP_ADDED = "membership.added"
    MEMBERSHIP_CHANGED = "membership.changed"
    MEMBERSHIP_REMOVED = "membership.removed"
    PERSON_UPDATED = "person.updated"
    PERSON_ANONYMISED = "user.anonymised"  # recorded by operations.personal_data


class OrganisationKind(StrEnum):
    AKIMAT = "akimat"
    HYAKIMLIK = "hyakimlik"
    MINISTRY = "ministry"
    BORDER_SERVICE = "border_service"
    CUSTOMS = "customs"
    CHAMBER_OF_COMMERCE = "chamber_of_commerce"
    BUSINESS = "business"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    NGO = "ngo"
    INTERNATIONAL = "international"

    @property
    def label(self) -> str:
        return str(ORGANISATION_KIND_LABELS[self])


ORGANISATION_KIND_LABELS = {
    OrganisationKind.AKIMAT: _l("Akimat"),
    OrganisationKind.HYAKIMLIK: _l("Hyakimlik"),
    OrganisationKind.MINISTRY: _l("Ministry"),
    OrganisationKind.BORDER_SERVICE: _l("Border service"),
    OrganisationKind.CUSTOMS: _l("Customs"),
    OrganisationKind.CHAMBER_OF_COMMERCE: _l("Chamber of commerce"),
    OrganisationKind.BUSINESS: _l("Business"),
    OrganisationKind.UNIVERSITY: _l("University"),
    OrganisationKind.RESEARCH_INSTITUTE: _l("Research institute"),
    OrganisationKind.NGO: _l("Non-governmental organisation"),
    OrganisationKind.INTERNATIONAL: _l("International organisation"),
}


class RegionKind(StrEnum):
    OBLAST = "oblast"
    VELAYAT = "velayat"
    DISTRICT = "district"
    ETRAP = "etrap"
    CITY = "city"

    @property
    def label(self) -> str:
        return str(REGION_KIND_LABELS[self])


REGION_KIND_LABELS = {
    RegionKind.OBLAST: _l("Oblast"),
    RegionKind.VELAYAT: _l("Velayat"),
    RegionKind.DISTRICT: _l("District"),
    RegionKind.ETRAP: _l("Etrap"),
    RegionKind.CITY: _l("City"),
}


class PlatformRole(StrEnum):
    ADMIN = "admin"
    SECRETARY = "secretary"
    MEMBER = "member"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return str(PLATFORM_ROLE_LABELS[self])


PLATFORM_ROLE_LABELS = {
    PlatformRole.ADMIN: _l("Administrator"),
    PlatformRole.SECRETARY: _l("Secretary"),
    PlatformRole.MEMBER: lazy_pgettext("platform role", "Member"),
    PlatformRole.OBSERVER: _l("Observer"),
}


class GroupRole(StrEnum):
    CO_CHAIR = "co_chair"
    MEMBER = "member"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return str(GROUP_ROLE_LABELS[self])


GROUP_ROLE_LABELS = {
    GroupRole.CO_CHAIR: _l("Co-chair"),
    GroupRole.MEMBER: lazy_pgettext("group role", "Member"),
    GroupRole.OBSERVER: _l("Observer"),
}


class Council(Model):
    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[Translations] = mapped_column(JSONText)
    description: Mapped[Translations] = mapped_column(JSONText, default=dict)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Country(Model):
    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-1 alpha-2
    name: Mapped[Translations] = mapped_column(JSONText)
    time_zone: Mapped[str] = mapped_column(String(60))


class Region(Model):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    kind: Mapped[RegionKind] = mapped_column(enum_type(RegionKind))
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[Translations] = mapped_column(JSONText)

    country: Mapped[Country] = relationship()
    parent: Mapped[Region | None] = relationship(remote_side=[id])


class Organisation(Model):
    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("council_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))  # stable key for imports, e.g. "mangystau-akimat"
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    name: Mapped[Translations] = mapped_column(JSONText)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    website: Mapped[str | None] = mapped_column(String(300))
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()
    country: Mapped[Country] = relationship()
    region: Mapped[Region | None] = relationship()

    @validates("name", "code")
    def _refresh_search_text(self, key: str, value: object) -> object:
        name = value if key == "name" else self.name
        code = value if key == "code" else self.code
        self.search_text = search_key(name, code)  # type: ignore[arg-type]
        return value


class User(UserMixin, Model):
    __tablename__ = "user"
    # A council's secretaries by role: the @ picker offers them on every record page (issue 17).
    __table_args__ = (Index("ix_user_council_role", "council_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored case-folded: one address is one person however it is typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str | None] = mapped_column(String(160))
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="ru")
    time_zone: Mapped[str] = mapped_column(String(60), default="Asia/Aqtau")
    role: Mapped[PlatformRole] = mapped_column(enum_type(PlatformRole), default=PlatformRole.MEMBER)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    invited_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Part of the id in every session and remember-me cookie: raising it ends all of them (sign out
    # everywhere, a new password, a role change, a second factor change). See council/auth/sessions.py.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Two-factor sign-in (TOTP): the shared secret, sealed (encrypted under a key derived from the
    # secret key, never stored in the database: see council/sealing.py and the totp_secret property),
    # when it was confirmed, and the last time step a code was accepted for (no code works twice).
    totp_secret_sealed: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    # The name and position (what the @ picker and the people list find a person by) and the e-mail
    # address (searched only by those who may see it: the searches cut it out of this text).
    @validates("name", "position", "email")
    def _refresh_search_text(self, key: str, value: str | None) -> str | None:
        values = {"name": self.name, "position": self.position, "email": self.email, key: value}
        self.search_text = search_key(values["name"], values["position"], values["email"])
        return value

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated people
        return self.active

    @property
    def sign_in_key(self) -> str | None:
        """This browser's sign-in key, set when signing in or loading the person from a cookie (not
        stored: only its hash is, in sign_in_session). See council/auth/sessions.py."""
        return getattr(self, "_sign_in_key", None)

    @sign_in_key.setter
    def sign_in_key(self, key: str | None) -> None:
        self._sign_in_key = key

    def get_id(self) -> str:
        """The session's id: person, session version and this browser's sign-in key (sessions.py)."""
        if not self.sign_in_key:
            raise RuntimeError("Sign people in with council.auth.sessions.log_in(), not login_user().")
        return f"{self.id}:{self.session_version or 0}:{self.sign_in_key}"

    def __eq__(self, other: object) -> bool:
        # One person is one person, whatever session or version an object was loaded with (UserMixin
        # compares get_id()).
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    __hash__ = object.__hash__

    def end_sessions(self) -> None:
        """Sign the person out everywhere: every existing session and remember-me cookie stops working."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def totp_secret(self) -> str | None:
        """The TOTP secret in clear, for this request only; None if unset or unreadable."""
        return unseal(self.totp_secret_sealed) if self.totp_secret_sealed else None

    @totp_secret.setter
    def totp_secret(self, value: str | None) -> None:
        self.totp_secret_sealed = seal(value) if value else None

    @property
    def two_factor_enabled(self) -> bool:
        # Sealed, not unsealed: a secret the current key cannot open still asks for a code (and none
        # is accepted) rather than letting the password alone through.
        return self.totp_enabled_at is not None and self.totp_secret_sealed is not None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def country_code(self) -> str | None:
        return self.organisation.country_code if self.organisation else None


class WorkingGroup(Model):
    __tablename__ = "working_group"
    __table_args__ = (UniqueConstraint("council_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(10))  # prefix of recommendation codes, e.g. TRD
    name: Mapped[Translations] = mapped_column(JSONText)
    description: Mapped[Translations] = mapped_column(JSONText, default=dict)
    original_language: Mapped[str] = mapped_column(String(2), default="ru")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[Council] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="Membership.id")


class Membership(Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),
                      Index("ix_membership_user_role", "user_id", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_group.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[GroupRole] = mapped_column(enum_type(GroupRole), default=GroupRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[WorkingGroup] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
