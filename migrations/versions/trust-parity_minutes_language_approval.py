"""minutes: approvals per language, so a translation added after approval is not shown as approved

Revision ID: c4f1e2a9b7d3
Revises: trust2fa0001
Create Date: 2026-12-05 09:30:00

Approvals given before this change covered the languages their revision had then. The history tells
which translations of the minutes or their decisions were added after a co-chair approved: those are
left out of that co-chair's approval (they show as translations not yet approved until both approve
them); every other language of the revision is recorded as approved by that co-chair. No text changes.
"""
import json
from datetime import datetime

import sqlalchemy as sa

import council.dbtypes
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4f1e2a9b7d3'
down_revision = 'trust2fa0001'
branch_labels = None
depends_on = None


def _json(value):
    if value is None or isinstance(value, (dict, list)):
        return value
    return json.loads(value)


def _moment(value):
    """SQLite hands raw queries' datetimes back as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _languages(notes, snapshot):
    texts = [*(notes or {}).values(), *((entry or {}).get("text") or {} for entry in snapshot or [])]
    return {lang for text in texts for lang, value in (text or {}).items() if value}


def upgrade():
    table = op.create_table(
        'minutes_language_approval',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('country_code', sa.String(length=2), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', council.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['country_code'], ['country.code'], ),
        sa.ForeignKeyConstraint(['revision_id'], ['minutes_revision.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('revision_id', 'language', 'country_code', name='uq_minutes_language_approval'),
    )
    with op.batch_alter_table('minutes_language_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_language_approval_user_id'), ['user_id'], unique=False)

    connection = op.get_bind()
    approvals = connection.execute(sa.text(
        "SELECT a.revision_id, a.user_id, a.country_code, a.approved_at, r.notes, r.decisions_snapshot, "
        "r.original_language, m.meeting_id FROM minutes_approval a "
        "JOIN minutes_revision r ON r.id = a.revision_id JOIN minutes m ON m.id = r.minutes_id")).all()
    rows = []
    for revision_id, user_id, country, approved_at, notes, snapshot, original, meeting_id in approvals:
        later = connection.execute(sa.text(
            "SELECT payload FROM event WHERE kind = 'meeting.translated' AND subject_type = 'meeting' "
            "AND subject_id = :meeting AND created_at > :approved"),
            {"meeting": meeting_id, "approved": approved_at}).scalars().all()
        added_later = {(_json(payload) or {}).get("language") for payload in later
                       if (_json(payload) or {}).get("part") in ("minutes", "decision")}
        for language in sorted(_languages(_json(notes), _json(snapshot)) - (added_later - {original})):
            rows.append({"revision_id": revision_id, "language": language, "country_code": country,
                         "user_id": user_id, "approved_at": _moment(approved_at)})
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    with op.batch_alter_table('minutes_language_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_language_approval_user_id'))
    op.drop_table('minutes_language_approval')
