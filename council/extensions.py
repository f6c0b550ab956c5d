"""Flask extensions: created here, bound to the app in create_app()."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from council.dbtypes import UTCDateTime

# Stable constraint names so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime})


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:  # db.Model is built at run time; type checkers see the declarative base.

    class Model(Base):
        __abstract__ = True
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
# The dashboards' rendered figure blocks (council/dashboard/cache.py): Redis when there is one, else memory.
cache = Cache()


@limiter.request_filter
def _limits_off_in_this_app() -> bool:
    """One Limiter object serves every app made in the process (tests make several), and its own
    `enabled` flag follows the app bound last; each app's own RATELIMIT_ENABLED decides for it."""
    return not current_app.config.get("RATELIMIT_ENABLED", True)


mail = Mail()
talisman = Talisman()
