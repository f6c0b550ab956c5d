"""Personal data, as the personal-data laws of Kazakhstan and Turkmenistan expect: a person downloads
what Council holds about them; an administrator anonymises a person who has left.

Anonymising keeps the history (their reports, decisions, attendance stay, now by "a former member of
<organisation>") and removes what identifies or reaches the person: name, e-mail, position, password,
second factor, sessions, tokens, calendar feeds, preferences, memberships and their own notifications.
It is refused while they still own open commitments (hand them over first) or hold a co-chair's seat.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from council import events
from council.api.models import ApiToken
from council.auth.models import RecoveryCode
from council.auth.permissions import require, rule
from council.directory.models import DirectoryEvent, GroupRole, Membership, User
from council.errors import Conflict
from council.extensions import db
from council.i18n import DEFAULT_LANGUAGE, localize
from council.meetings.models import Attendance, CalendarFeedToken, Invitation
from council.notifications.models import (
    DigestRun,
    GroupNotificationSetting,
    Notification,
    NotificationPreference,
)
from council.timeutil import utcnow
from council.tracker.models import COMMITMENT_OPEN, Commitment, ProgressUpdate

ANONYMOUS_DOMAIN = "anonymised.invalid"  # RFC 2606: never a real address


@rule("person.anonymise", refusal=lambda user, person: _(
    "Only an administrator can anonymise a person who has left."))
def _anonymise_person(user: User, person: Any) -> bool:
    """Administrators only (can() lets them); a secretary may deactivate, not erase."""
    return False


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(person: User) -> dict[str, Any]:
    """Everything Council holds about `person`, as plain JSON values."""
    organisation = person.organisation
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "person": {
            "id": person.id, "name": person.name, "email": person.email, "position": person.position,
            "organisation": organisation.name if organisation else None, "role": person.role.value,
            "language": person.language, "time_zone": person.time_zone, "active": person.active,
            "two_factor": person.two_factor_enabled, "invited_at": _when(person.invited_at),
            "last_login_at": _when(person.last_login_at), "created_at": _when(person.created_at)},
    }
    data["memberships"] = [
        {"group_id": group_id, "role": role.value, "since": _when(since)}
        for group_id, role, since in db.session.execute(
            select(Membership.group_id, Membership.role, Membership.created_at)
            .where(Membership.user_id == person.id).order_by(Membership.id))]
    data["commitments_owned"] = [
        {"code": code, "status": status.value, "progress": progress, "due_date": _when(due)}
        for code, status, progress, due in db.session.execute(
            select(Commitment.code, Commitment.status, Commitment.progress, Commitment.due_date)
            .where(Commitment.owner_id == person.id).order_by(Commitment.code))]
    data["progress_reports"] = [
        {"commitment": code, "progress": progress, "note": note, "at": _when(at)}
        for code, progress, note, at in db.session.execute(
            select(Commitment.code, ProgressUpdate.progress, ProgressUpdate.note, ProgressUpdate.created_at)
            .join(Commitment, Commitment.id == ProgressUpdate.commitment_id)
            .where(ProgressUpdate.author_id == person.id).order_by(ProgressUpdate.id))]
    data["meeting_invitations"] = [
        {"meeting_id": meeting_id, "response": response.value, "answered_at": _when(at)}
        for meeting_id, response, at in db.session.execute(
            select(Invitation.meeting_id, Invitation.response, Invitation.responded_at)
            .where(Invitation.user_id == person.id).order_by(Invitation.id))]
    data["attendance"] = [
        {"meeting_id": meeting_id, "mode": mode.value}
        for meeting_id, mode in db.session.execute(
            select(Attendance.meeting_id, Attendance.mode).where(Attendance.user_id == person.id)
            .order_by(Attendance.id))]
    data["api_tokens"] = [  # names and dates only: the secrets are not kept, even hashed ones are not shown
        {"name": name, "scope": scope.value, "created_at": _when(created), "last_used_at": _when(used),
         "revoked_at": _when(revoked)}
        for name, scope, created, used, revoked in db.session.execute(
            select(ApiToken.name, ApiToken.scope, ApiToken.created_at, ApiToken.last_used_at,
                   ApiToken.revoked_at).where(ApiToken.user_id == person.id).order_by(ApiToken.id))]
    data["calendar_feeds"] = db.session.scalar(
        select(func.count()).where(CalendarFeedToken.user_id == person.id))
    preference = db.session.get(NotificationPreference, person.id)
    data["notification_preferences"] = {
        "email_mode": preference.email_mode.value, "digest_weekday": preference.digest_weekday,
    } if preference else None
    data["notifications"] = [
        {"kind": kind, "channel": channel.value, "state": state.value, "created_at": _when(created),
         "read_at": _when(read)}
        for kind, channel, state, created, read in db.session.execute(
            select(Notification.kind, Notification.channel, Notification.state, Notification.created_at,
                   Notification.read_at).where(Notification.recipient_id == person.id)
            .order_by(Notification.id))]
    data["activity"] = [
        {"kind": kind, "subject_type": subject_type, "subject_id": subject_id, "at": _when(at)}
        for kind, subject_type, subject_id, at in db.session.execute(
            select(events.Event.kind, events.Event.subject_type, events.Event.subject_id,
                   events.Event.created_at).where(events.Event.actor_id == person.id)
            .order_by(events.Event.id))]
    return data


def former_member_name(person: User) -> str:
    """"A former member of <organisation>", in the council's working language (ru)."""
    organisation = person.organisation
    with force_locale(DEFAULT_LANGUAGE):
        if organisation is None:
            return _("A former member")
        name = localize(organisation.name, organisation.original_language, DEFAULT_LANGUAGE).text
        return _("A former member of %(organisation)s", organisation=name)


def anonymise(actor: User, person: User) -> User:
    """Replace the person's name and e-mail and remove what reaches them; the history stays."""
    require(actor, "person.anonymise", person)
    if person.id == actor.id:
        raise Conflict(_("You cannot anonymise your own account."))
    if person.email.endswith("@" + ANONYMOUS_DOMAIN):
        raise Conflict(_("This person is anonymised already."))
    open_count = db.session.scalar(select(func.count()).where(
        Commitment.owner_id == person.id, Commitment.status.in_(COMMITMENT_OPEN))) or 0
    if open_count:
        raise Conflict(ngettext("%(name)s still owns %(num)d open commitment: give it another owner "
                                "first.",
                                "%(name)s still owns %(num)d open commitments: give them another owner "
                                "first.", open_count, name=person.name))
    if db.session.scalar(select(Membership.id).where(Membership.user_id == person.id,
                                                     Membership.role == GroupRole.CO_CHAIR)):
        raise Conflict(_("%(name)s is a co-chair: the secretariat appoints another co-chair first.",
                         name=person.name))
    person.name = former_member_name(person)
    person.email = f"former-{person.id}@{ANONYMOUS_DOMAIN}"
    person.position = None
    person.password_hash = None
    person.totp_secret = person.totp_enabled_at = person.totp_last_step = None
    person.active = False
    person.end_sessions()
    for model, column in ((Membership, Membership.user_id), (ApiToken, ApiToken.user_id),
                          (CalendarFeedToken, CalendarFeedToken.user_id),
                          (RecoveryCode, RecoveryCode.user_id),
                          (NotificationPreference, NotificationPreference.user_id),
                          (GroupNotificationSetting, GroupNotificationSetting.user_id),
                          (DigestRun, DigestRun.user_id), (Notification, Notification.recipient_id)):
        db.session.execute(delete(model).where(column == person.id)
                           .execution_options(synchronize_session=False))
    events.record(DirectoryEvent.PERSON_ANONYMISED, person, actor, council_id=person.council_id)
    return person
