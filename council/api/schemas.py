"""Marshmallow schemas of API v1: what each resource looks like, what a request may send, and errors.

Multilingual content is an object {ru, kk, tk, en} with `original_language` beside it, as stored.
Nobody's e-mail address is published except the token owner's own (GET /me): integrations need ids
and names, and a leaked token must not leak a contact list.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates

from council.api.models import TokenScope
from council.api.pagination import PageQuerySchema
from council.directory.models import GroupRole, OrganisationKind, PlatformRole, RegionKind
from council.i18n import LANGUAGES
from council.meetings.models import MeetingKind, MeetingStatus, RevisionStatus
from council.timeutil import council_today
from council.tracker.models import (
    COMMITMENT_NEEDS_REASON,
    RECOMMENDATION_CLOSED,
    CommitmentStatus,
    EvidenceKind,
    Priority,
    RecommendationSource,
    RecommendationStatus,
)
from council.tracker.queries import COMMITMENT_SORTS, MAX_DUE_WITHIN, RECOMMENDATION_SORTS
from council.tracker.services import REPORTED_STATUSES

MAX_ID = 2_147_483_647


NO_NUL = "^[^\\x00]*$"


class Text(fields.String):
    """A string the database can store: no NUL characters, no unpaired surrogates."""

    default_error_messages = {"unstorable": "Must not contain NUL characters or unpaired surrogates."}

    def __init__(self, **kwargs: Any) -> None:
        # The document says it too, so a client (or a fuzzer) knows NUL is refused, not only the server.
        metadata = kwargs.pop("metadata", None) or {}
        super().__init__(metadata={"pattern": NO_NUL, **metadata}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise self.make_error("unstorable") from error
        return text


def record_id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An id: strict in JSON bodies (a string is refused), lenient in query strings (all text)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# Errors -----------------------------------------------------------------------------------------


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    field = fields.String(allow_none=True, metadata={
        "description": "The first field at fault (dotted for nested ones), or null."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "Every field at fault with its messages."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


# Shared pieces ----------------------------------------------------------------------------------


class TranslatedTextSchema(Schema):
    """A text in each language it has been written or translated in."""

    ru = fields.String()
    kk = fields.String()
    tk = fields.String()
    en = fields.String()


def translated(**kwargs: Any) -> fields.Nested:
    return fields.Nested(TranslatedTextSchema, **kwargs)


def language(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(LANGUAGES), **kwargs)


# Directory --------------------------------------------------------------------------------------


class CountrySchema(Schema):
    code = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2, e.g. KZ."})
    name = translated(required=True)
    time_zone = fields.String(required=True)


class RegionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    kind = fields.Enum(RegionKind, by_value=True, required=True)
    country_code = fields.String(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    name = translated(required=True)


class RegionQuerySchema(PageQuerySchema):
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"),
                            metadata={"description": "Only regions of this country (KZ, TM)."})


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "Stable key, e.g. mangystau-akimat."})
    kind = fields.Enum(OrganisationKind, by_value=True, required=True)
    country_code = fields.String(required=True)
    region_id = fields.Integer(required=True, allow_none=True)
    name = translated(required=True)
    original_language = fields.String(required=True)
    website = fields.String(required=True, allow_none=True)


class OrganisationQuerySchema(PageQuerySchema):
    """The filters of the organisations page."""

    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"),
                            metadata={"description": "Country code: KZ or TM."})
    region = record_id(strict=False, metadata={"description": "Region id."})
    kind = fields.Enum(OrganisationKind, by_value=True)
    q = Text(validate=validate.Length(max=100), metadata={"description": "Text in any language."})


class MemberSchema(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="user.name")
    position = fields.String(required=True, allow_none=True, attribute="user.position")
    organisation_id = fields.Integer(required=True, allow_none=True, attribute="user.organisation_id")
    role = fields.Enum(GroupRole, by_value=True, required=True)


class WorkingGroupSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "Prefix of recommendation codes."})
    name = translated(required=True)
    description = translated(required=True)
    original_language = fields.String(required=True)
    active = fields.Boolean(required=True)


class WorkingGroupDetailSchema(WorkingGroupSchema):
    members = fields.List(fields.Nested(MemberSchema), required=True, attribute="memberships")


class WorkingGroupQuerySchema(PageQuerySchema):
    active = fields.Boolean(metadata={"description": "Only active (true) or inactive (false) groups."})


class MembershipSchema(Schema):
    group_id = fields.Integer(required=True)
    role = fields.Enum(GroupRole, by_value=True, required=True)


class TokenInfoSchema(Schema):
    name = fields.String(required=True)
    scope = fields.Enum(TokenScope, by_value=True, required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "Your own address only."})
    position = fields.String(required=True, allow_none=True)
    role = fields.Enum(PlatformRole, by_value=True, required=True)
    council_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True, allow_none=True)
    language = fields.String(required=True)
    time_zone = fields.String(required=True)
    memberships = fields.List(fields.Nested(MembershipSchema), required=True)
    token = fields.Nested(TokenInfoSchema, required=True)



# Tracker ----------------------------------------------------------------------------------------


class Number(fields.Float):
    """A JSON number, never a numeric string; decimals are sent as numbers (15 significant digits)."""

    default_error_messages = {"not_number": "Not a JSON number."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("not_number")
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        return None if value is None else float(value)


def next_statuses(enum: type[Any]) -> fields.Function:
    """The statuses a record may move to next, as its state machine says (not who may move it)."""
    return fields.Function(
        lambda record: sorted(status.value for status in record.allowed_statuses()), required=True,
        metadata={"type": "array", "items": {"type": "string", "enum": [m.value for m in enum]},
                  "description": "The statuses it may move to next."})


class RecommendationSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "e.g. TRD-2026-004"})
    group_id = fields.Integer(required=True)
    title = translated(required=True)
    text = translated(required=True)
    original_language = fields.String(required=True)
    source = fields.Enum(RecommendationSource, by_value=True, required=True)
    source_reference = fields.String(required=True, allow_none=True)
    priority = fields.Enum(Priority, by_value=True, required=True)
    is_public = fields.Boolean(required=True)
    status = fields.Enum(RecommendationStatus, by_value=True, required=True)
    status_reason = fields.String(required=True, allow_none=True)
    status_changed_at = fields.DateTime(required=True, allow_none=True)
    progress = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Average progress of its commitments (cancelled ones aside), or null."})
    allowed_statuses = next_statuses(RecommendationStatus)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class TrackerListQuerySchema(PageQuerySchema):
    """The filters of the tracker's recommendation and commitment lists (council.tracker.queries)."""

    group = record_id(strict=False, metadata={"description": "Working group id."})
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"), metadata={
        "description": "Country of the responsible organisation: KZ or TM."})
    organisation = record_id(strict=False, metadata={"description": "Responsible organisation id."})
    owner = record_id(strict=False, metadata={"description": "Owner's person id."})
    overdue = fields.Boolean(metadata={"description": "true: only overdue commitments (false: no filter)."})
    due_within = fields.Integer(validate=validate.Range(min=0, max=MAX_DUE_WITHIN), metadata={
        "description": "Only commitments still to be done and due within this many days."})
    q = Text(validate=validate.Length(max=100), metadata={"description": "Text in any language."})


class RecommendationQuerySchema(TrackerListQuerySchema):
    """The recommendations list's filters (those about commitments keep the recommendations that have
    such a commitment), and a few more."""

    status = fields.Enum(RecommendationStatus, by_value=True)
    sort = fields.String(validate=validate.OneOf(tuple(RECOMMENDATION_SORTS)), metadata={
        "description": "Order (code by default); a leading minus reverses."})
    priority = fields.Enum(Priority, by_value=True)
    source = fields.Enum(RecommendationSource, by_value=True)
    public = fields.Boolean(metadata={"description": "Only public (true) or internal (false) ones."})


class RecommendationStatusSchema(Schema):
    REASON_REQUIRED_FOR = RECOMMENDATION_CLOSED  # written into the document (council.api.spec)
    status = fields.Enum(RecommendationStatus, by_value=True, required=True)
    reason = Text(allow_none=True, validate=validate.Length(max=4000), metadata={
        "description": "Required when rejecting, withdrawing, or marking implemented or superseded."})


class CommitmentSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "e.g. TRD-2026-004-KZ1"})
    recommendation_id = fields.Integer(required=True)
    group_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    owner_id = fields.Integer(required=True, allow_none=True)
    counterpart_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The matching commitment on the other side of the border."})
    initiative_id = fields.Integer(required=True, allow_none=True)
    description = translated(required=True)
    original_language = fields.String(required=True)
    start_date = fields.Date(required=True, allow_none=True)
    due_date = fields.Date(required=True)
    progress = fields.Integer(required=True, metadata={"description": "Percent, 0–100."})
    status = fields.Enum(CommitmentStatus, by_value=True, required=True)
    status_reason = fields.String(required=True, allow_none=True)
    status_changed_at = fields.DateTime(required=True, allow_none=True)
    overdue = fields.Function(lambda commitment: commitment.is_overdue(council_today()),
                              required=True, metadata={"type": "boolean", "description":
                                                       "Past its due date and not reported done."})
    allowed_statuses = next_statuses(CommitmentStatus)
    last_reported_at = fields.DateTime(required=True, allow_none=True)
    verified_at = fields.DateTime(required=True, allow_none=True)
    verified_by_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CommitmentQuerySchema(TrackerListQuerySchema):
    """The commitments list's filters, and a few more."""

    status = fields.Enum(CommitmentStatus, by_value=True)
    sort = fields.String(validate=validate.OneOf(tuple(COMMITMENT_SORTS)), metadata={
        "description": "Order (due date by default); a leading minus reverses."})
    recommendation = record_id(strict=False, metadata={"description": "Recommendation id."})
    initiative = record_id(strict=False, metadata={"description": "Initiative id."})
    due_after = fields.Date(metadata={"description": "Due on or after this date."})
    due_before = fields.Date(metadata={"description": "Due on or before this date."})


class CommitmentStatusSchema(Schema):
    REASON_REQUIRED_FOR = COMMITMENT_NEEDS_REASON  # written into the document (council.api.spec)
    status = fields.Enum(CommitmentStatus, by_value=True, required=True)
    reason = Text(allow_none=True, validate=validate.Length(max=4000), metadata={
        "description": "Required to block, cancel or send back; a verifier's optional comment."})


class EvidenceSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(EvidenceKind, by_value=True, required=True)
    filename = fields.String(required=True, allow_none=True)
    content_type = fields.String(required=True, allow_none=True)
    size = fields.Integer(required=True, allow_none=True)
    url = fields.String(required=True, allow_none=True)


class ProgressUpdateSchema(Schema):
    id = fields.Integer(required=True)
    commitment_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True, allow_none=True)
    progress = fields.Integer(required=True)
    previous_progress = fields.Integer(required=True)
    from_status = fields.Enum(CommitmentStatus, by_value=True, required=True)
    to_status = fields.Enum(CommitmentStatus, by_value=True, required=True, allow_none=True)
    note = fields.String(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)
    created_at = fields.DateTime(required=True)


class ProgressUpdateQuerySchema(PageQuerySchema):
    commitment = record_id(strict=False, metadata={"description": "Commitment id."})
    group = record_id(strict=False, metadata={"description": "Working group id."})
    organisation = record_id(strict=False, metadata={"description": "Responsible organisation id."})
    since = fields.AwareDateTime(metadata={"description": "Reported at or after this moment."})


class ProgressReportSchema(Schema):
    # Written into the document (council.api.spec): the statuses a report may set, and blocking
    # needs a non-blank note as its reason (council.tracker.services.report_progress).
    STATUSES = REPORTED_STATUSES
    REASON_REQUIRED_FOR = frozenset({CommitmentStatus.BLOCKED})
    REASON_FIELD = "note"
    progress = fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=100),
                              metadata={"description": "Percent done, 0–100."})
    status = fields.Enum(CommitmentStatus, by_value=True, allow_none=True, metadata={
        "description": "in_progress, reported_done (sets 100 %) or blocked (the note is the reason)."})
    note = Text(validate=validate.Length(max=4000), load_default="", metadata={
        "description": "What happened; required, not blank, to block the commitment."})

    @validates("status")
    def _a_status_a_report_may_set(self, value: CommitmentStatus | None, **_kwargs: Any) -> None:
        if value is not None and value not in self.STATUSES:
            raise ValidationError(_("A report may set the status to “%(statuses)s” only.", statuses=", ".join(
                sorted(status.value for status in self.STATUSES))))
    links = fields.List(
        Text(validate=[validate.URL(schemes={"http", "https"}, require_tld=False),
                       validate.Length(max=500)],
             metadata={"format": "iri", "pattern": "^https?://",  # an address in Cyrillic is taken too
                       "description": "An http or https address with a host (IRI: non-ASCII allowed)."}),
        validate=validate.Length(max=10), load_default=list,
        metadata={"description": "Evidence links (files are attached on the web page)."})


class MilestoneSchema(Schema):
    id = fields.Integer(required=True)
    title = translated(required=True)
    original_language = fields.String(required=True)
    due_date = fields.Date(required=True, allow_none=True)
    completed_on = fields.Date(required=True, allow_none=True)


class InitiativeSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    group_id = fields.Integer(required=True, allow_none=True)
    name = translated(required=True)
    description = translated(required=True)
    original_language = fields.String(required=True)
    progress = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Average progress of its commitments (cancelled ones aside), or null."})
    created_at = fields.DateTime(required=True)


class InitiativeDetailSchema(InitiativeSchema):
    milestones = fields.List(fields.Nested(MilestoneSchema), required=True)


class InitiativeQuerySchema(PageQuerySchema):
    group = record_id(strict=False, metadata={"description": "Working group id."})
    q = Text(validate=validate.Length(max=100), metadata={"description": "Code or name."})


class ObservationSchema(Schema):
    id = fields.Integer(required=True)
    indicator_id = fields.Integer(required=True)
    observed_on = fields.Date(required=True)
    value = Number(required=True)
    source = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    recorded_by_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class ObservationQuerySchema(PageQuerySchema):
    since = fields.Date(metadata={"description": "Observed on or after this date."})
    until = fields.Date(metadata={"description": "Observed on or before this date."})


class ObservationInputSchema(Schema):
    observed_on = fields.Date(required=True, metadata={"description": "Not in the future."})
    value = Number(required=True, allow_nan=False,
                   validate=validate.Range(min=-1e14, max=1e14, min_inclusive=False,
                                           max_inclusive=False),
                   # The bounds are excluded (14 digits before the point are stored): say so, as the
                   # Range above does not reach the document by itself.
                   metadata={"exclusiveMinimum": True, "exclusiveMaximum": True})
    source = Text(required=True, validate=validate.Length(min=1, max=300))
    note = Text(allow_none=True, validate=validate.Length(max=4000))


class IndicatorSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    group_id = fields.Integer(required=True, allow_none=True)
    initiative_id = fields.Integer(required=True, allow_none=True)
    name = translated(required=True)
    description = translated(required=True)
    original_language = fields.String(required=True)
    unit = fields.String(required=True, metadata={"description": "e.g. USD million, hours"})
    baseline_value = Number(required=True, allow_none=True)
    baseline_date = fields.Date(required=True, allow_none=True)
    target_value = Number(required=True, allow_none=True)
    target_date = fields.Date(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class IndicatorDetailSchema(IndicatorSchema):
    latest_observation = fields.Nested(ObservationSchema, required=True, allow_none=True)


class IndicatorQuerySchema(PageQuerySchema):
    group = record_id(strict=False, metadata={"description": "Working group id."})
    initiative = record_id(strict=False, metadata={"description": "Initiative id."})
    q = Text(validate=validate.Length(max=100), metadata={"description": "Code or name."})


# Meetings ---------------------------------------------------------------------------------------


class RecordIdSchema(Schema):
    id = fields.Integer(required=True)


def ids_of(attribute: str, what: str) -> fields.Pluck:
    return fields.Pluck(RecordIdSchema, "id", many=True, required=True, attribute=attribute,
                        metadata={"description": f"Ids of the {what}."})


class MeetingSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"description": "e.g. TRD-2026-02, CS-2026-01"})
    kind = fields.Enum(MeetingKind, by_value=True, required=True)
    group_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The working group; null for a council session."})
    title = translated(required=True)
    original_language = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "In UTC."})
    ends_at = fields.AwareDateTime(required=True)
    time_zone = fields.String(required=True, metadata={"description": "Where the meeting takes place."})
    place = fields.String(required=True, allow_none=True)
    online_url = fields.String(required=True, allow_none=True)
    status = fields.Enum(MeetingStatus, by_value=True, required=True)
    cancel_reason = fields.String(required=True, allow_none=True)
    updated_at = fields.AwareDateTime(required=True)


class AgendaItemSchema(Schema):
    id = fields.Integer(required=True)
    parent_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The item this one is a sub-item of, or null."})
    position = fields.Integer(required=True, metadata={"description": "Order among its siblings."})
    title = translated(required=True)
    original_language = fields.String(required=True)
    notes = translated(required=True)
    duration_minutes = fields.Integer(required=True)
    presenter_id = fields.Integer(required=True, allow_none=True)
    recommendation_ids = ids_of("recommendations", "recommendations it is about")
    commitment_ids = ids_of("commitments", "commitments it is about")


class DecisionSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    agenda_item_id = fields.Integer(required=True, allow_none=True)
    text = translated(required=True)
    original_language = fields.String(required=True)
    recommendation_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The recommendation the decision created in the tracker, if any."})
    commitment_ids = ids_of("commitments", "commitments the decision created in the tracker")


class MeetingDetailSchema(MeetingSchema):
    session_chair_ids = ids_of("session_chairs", "people who chair a council session")
    agenda = fields.List(fields.Nested(AgendaItemSchema), required=True, attribute="agenda_items",
                         metadata={"description": "Every item in order; sub-items name their parent."})
    decisions = fields.List(fields.Nested(DecisionSchema), required=True)


class MeetingQuerySchema(PageQuerySchema):
    """The filters of the meetings page."""

    when = fields.String(load_default="upcoming", validate=validate.OneOf(("upcoming", "past")),
                         metadata={"description": "Upcoming (soonest first) or past (latest first)."})
    group = record_id(strict=False, metadata={"description": "Working group id."})
    kind = fields.Enum(MeetingKind, by_value=True)


class MinutesApprovalSchema(Schema):
    user_id = fields.Integer(required=True)
    country_code = fields.String(required=True)
    approved_at = fields.AwareDateTime(required=True)


class RevisionSummarySchema(Schema):
    number = fields.Integer(required=True)
    status = fields.Enum(RevisionStatus, by_value=True, required=True)
    published_at = fields.AwareDateTime(required=True, allow_none=True)
    approved_at = fields.AwareDateTime(required=True, allow_none=True)


class MinutesSchema(RevisionSummarySchema):
    """One revision of a meeting's minutes."""

    meeting_id = fields.Integer(required=True, attribute="minutes.meeting_id")
    original_language = fields.String(required=True)
    notes = fields.Dict(keys=fields.String(), values=translated(), required=True, metadata={
        "description": "Notes by agenda item id, and \"general\" for the meeting as a whole."})
    decisions = fields.List(fields.Dict(), required=True, attribute="decisions_snapshot", metadata={
        "description": "The decisions as they read when this revision was published."})
    reason = fields.String(required=True, allow_none=True, metadata={
        "description": "Why this revision was started (an amendment), or null."})
    approvals = fields.List(fields.Nested(MinutesApprovalSchema), required=True, metadata={
        "description": "One co-chair per country approves; both make the minutes final."})
    approved_languages = fields.List(fields.String(), required=True, metadata={
        "description": "The languages both co-chairs approved (empty until the minutes are approved). "
                       "Texts in other languages are translations not yet approved."})
    revisions = fields.List(fields.Nested(RevisionSummarySchema), required=True,
                            attribute="minutes.revisions")


# Translations -----------------------------------------------------------------------------------


class TranslationSchema(Schema):
    """A record's translatable texts in every language, and the languages it still lacks."""

    kind = fields.String(required=True, metadata={
        "description": "recommendation, commitment, initiative, indicator, meeting, agenda_item, decision "
                       "or minutes."})
    id = fields.Integer(required=True)
    original_language = fields.String(required=True, metadata={
        "description": "The authoritative language; it is changed only by editing the record."})
    missing_languages = fields.List(fields.String(), required=True)
    approved_languages = fields.List(fields.String(), required=True, allow_none=True, metadata={
        "description": "Approved minutes and their decisions: the languages both co-chairs approved. A "
                       "language added since is a translation not yet approved. null for other records."})
    texts = fields.Dict(keys=fields.String(), values=translated(), required=True, metadata={
        "description": "Each text by name (title, text, description, notes…; for the minutes \"general\" "
                       "and agenda item ids)."})


class TranslationInputSchema(Schema):
    # Any name is read; one that is not a text of the record is refused by the service (422, "texts").
    texts = fields.Dict(keys=Text(),
                        values=Text(allow_none=True, validate=validate.Length(max=20000)),
                        required=True, metadata={
                            "description": "Texts by name in this language; an empty one takes the "
                                           "translation away, a name left out keeps its text."})
