"""factory-boy factories. They commit: tests drive real requests, each in its own session."""

from __future__ import annotations

import factory
from werkzeug.security import generate_password_hash

from council.auth.two_factor import REQUIRED_FOR
from council.directory.models import (
    Council,
    Country,
    GroupRole,
    Membership,
    Organisation,
    OrganisationKind,
    PlatformRole,
    Region,
    RegionKind,
    User,
    WorkingGroup,
)
from council.extensions import db
from council.timeutil import utcnow

PASSWORD = "correct-horse-battery"
# Tests sign in hundreds of times: one PBKDF2 round instead of scrypt (production's method, which
# tests/auth/test_passwords.py checks) saves minutes of CPU and checks the same code.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
PASSWORD_HASH = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
# Administrators and secretaries must sign in with a second factor: the factory enrolls them with this
# key, and tests.conftest.Auth passes the current code, as their authenticator app would.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class CouncilFactory(BaseFactory):
    class Meta:
        model = Council

    slug = factory.Sequence(lambda n: f"council-{n}")
    name = factory.LazyAttribute(lambda o: {"ru": f"Совет {o.slug}", "en": f"Council {o.slug}"})
    original_language = "ru"


def country(code: str) -> Country:
    """KZ and TM exist once per test database."""
    existing = db.session.get(Country, code)
    if existing is not None:
        return existing
    names = {"KZ": {"ru": "Казахстан", "kk": "Қазақстан", "tk": "Gazagystan", "en": "Kazakhstan"},
             "TM": {"ru": "Туркменистан", "kk": "Түрікменстан", "tk": "Türkmenistan",
                    "en": "Turkmenistan"}}[code]
    record = Country(code=code, name=names,
                     time_zone="Asia/Aqtau" if code == "KZ" else "Asia/Ashgabat")
    db.session.add(record)
    db.session.commit()
    return record


class RegionFactory(BaseFactory):
    class Meta:
        model = Region

    country_code = factory.LazyFunction(lambda: country("KZ").code)
    kind = RegionKind.OBLAST
    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda o: {"ru": f"Регион {o.code}", "en": f"Region {o.code}"})


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    council = factory.SubFactory(CouncilFactory)
    code = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.AKIMAT
    country_code = factory.LazyFunction(lambda: country("KZ").code)
    name = factory.LazyAttribute(lambda o: {"ru": f"Организация {o.code}",
                                            "en": f"Organisation {o.code}"})
    original_language = "ru"

    class Params:
        turkmen = factory.Trait(
            country_code=factory.LazyFunction(lambda: country("TM").code),
            kind=OrganisationKind.HYAKIMLIK)


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    council = factory.LazyAttribute(lambda o: o.organisation.council if o.organisation
                                    else CouncilFactory())
    language = "en"
    time_zone = "Asia/Aqtau"
    role = PlatformRole.MEMBER
    active = True
    password_hash = PASSWORD_HASH
    totp_secret = factory.LazyAttribute(lambda o: TOTP_SECRET if o.role in REQUIRED_FOR else None)
    totp_enabled_at = factory.LazyAttribute(lambda o: utcnow() if o.role in REQUIRED_FOR else None)


class WorkingGroupFactory(BaseFactory):
    class Meta:
        model = WorkingGroup

    council = factory.SubFactory(CouncilFactory)
    slug = factory.Sequence(lambda n: f"group-{n}")
    code = factory.Sequence(lambda n: "G" + "ABCDEFGHIJ"[n % 10] + "ABCDEFGHIJ"[(n // 10) % 10])
    name = factory.LazyAttribute(lambda o: {"ru": f"Группа {o.slug}", "en": f"Group {o.slug}"})
    original_language = "ru"


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(WorkingGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = GroupRole.MEMBER


# Tracker ------------------------------------------------------------------------------------------

from datetime import date, timedelta  # noqa: E402

from council.tracker.models import (  # noqa: E402
    Commitment,
    CommitmentStatus,
    Indicator,
    Initiative,
    Priority,
    Recommendation,
    RecommendationSource,
    RecommendationStatus,
)


class RecommendationFactory(BaseFactory):
    """An adopted recommendation (commitments can be made under it)."""

    class Meta:
        model = Recommendation

    group = factory.SubFactory(WorkingGroupFactory)
    council_id = factory.LazyAttribute(lambda o: o.group.council_id)
    code = factory.Sequence(lambda n: f"TRD-2026-{n + 1:03d}")
    title = factory.LazyAttribute(lambda o: {"ru": f"Рекомендация {o.code}",
                                             "en": f"Recommendation {o.code}"})
    text = factory.LazyFunction(dict)
    original_language = "ru"
    source = RecommendationSource.COUNCIL_SESSION
    priority = Priority.MEDIUM
    status = RecommendationStatus.ADOPTED


class CommitmentFactory(BaseFactory):
    class Meta:
        model = Commitment

    recommendation = factory.SubFactory(RecommendationFactory)
    council_id = factory.LazyAttribute(lambda o: o.recommendation.council_id)
    group_id = factory.LazyAttribute(lambda o: o.recommendation.group_id)
    code = factory.Sequence(lambda n: f"C-{n + 1:04d}")
    organisation = factory.SubFactory(OrganisationFactory,
                                      council=factory.SelfAttribute("..recommendation.group.council"))
    owner = None
    description = factory.LazyAttribute(lambda o: {"ru": f"Обязательство {o.code}",
                                                   "en": f"Commitment {o.code}"})
    original_language = "ru"
    start_date = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    due_date = factory.LazyFunction(lambda: date.today() + timedelta(days=60))
    progress = 0
    status = CommitmentStatus.PLANNED


class InitiativeFactory(BaseFactory):
    class Meta:
        model = Initiative

    council = factory.SubFactory(CouncilFactory)
    code = factory.Sequence(lambda n: f"INIT-{n + 1}")
    name = factory.LazyAttribute(lambda o: {"ru": f"Инициатива {o.code}", "en": f"Initiative {o.code}"})
    original_language = "ru"


class IndicatorFactory(BaseFactory):
    class Meta:
        model = Indicator

    council = factory.SubFactory(CouncilFactory)
    code = factory.Sequence(lambda n: f"IND-{n + 1}")
    name = factory.LazyAttribute(lambda o: {"ru": f"Показатель {o.code}", "en": f"Indicator {o.code}"})
    original_language = "ru"
    unit = "USD million"


# Meetings -----------------------------------------------------------------------------------------

from datetime import UTC, datetime  # noqa: E402

from council.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus  # noqa: E402


class MeetingFactory(BaseFactory):
    """A group meeting tomorrow 10:00–13:00 UTC+5 (05:00–08:00 UTC), as a draft."""

    class Meta:
        model = Meeting

    group = factory.SubFactory(WorkingGroupFactory)
    council_id = factory.LazyAttribute(lambda o: o.group.council_id)
    kind = MeetingKind.GROUP_MEETING
    reference = factory.Sequence(lambda n: f"MTG-2026-{n + 1:02d}")
    title = factory.LazyAttribute(lambda o: {"ru": f"Заседание {o.reference}",
                                             "en": f"Meeting {o.reference}"})
    original_language = "ru"
    starts_at = factory.LazyFunction(
        lambda: datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0) + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    time_zone = "Asia/Aqtau"
    place = "Aktau"
    status = MeetingStatus.DRAFT


class AgendaItemFactory(BaseFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: {"ru": f"Вопрос {n + 1}", "en": f"Item {n + 1}"})
    original_language = "ru"
    duration_minutes = 30
