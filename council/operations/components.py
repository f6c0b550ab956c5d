"""The components page: every shared piece of the interface (buttons, status badges, the filter bar,
tables, the error summary, notices, cards) drawn once with sample data, for developers to see them
side by side and keep them one set. Open in debug to anyone signed in, else to administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired

from council.auth.permissions import administrators, rule
from council.directory.models import User
from council.forms import CouncilForm, choice_needed, grouped_options, optional_int
from council.timeutil import council_today
from council.tracker.forms import StatusForm
from council.tracker.models import CommitmentStatus, RecommendationStatus

# Sample content is content, as the demo's is: in Russian, the council's usual original language.
SAMPLE_TEXTS = ("Установить электронную очередь на посту Курык",
                "Открыть склад временного хранения у поста Гарабогаз",
                "Согласовать график работы пунктов пропуска")


@rule("operations.components", who=administrators)
def _see_components(user: User, target: Any) -> bool:
    """Outside debug the page is the platform administrators' (can() lets them; nobody else)."""
    return False


class SampleForm(CouncilForm):
    """A form submitted empty, to show the error summary and the errors beside their fields."""

    class Meta:
        csrf = False

    description = StringField(_l("What will be done"), validators=[DataRequired()])
    organisation_id = SelectField(_l("Responsible organisation"), coerce=optional_int,
                                  validators=[InputRequired()], validate_choice=False)
    due_date = DateField(_l("Due date"), validators=[InputRequired()])


@dataclass(frozen=True)
class SampleCommitment:
    """What the status and overdue badges and the table read of a commitment."""

    description: str
    code: str
    status: CommitmentStatus
    progress: int | None
    due_date: date

    def is_overdue(self, today: date) -> bool:
        return self.due_date < today and self.status not in (CommitmentStatus.VERIFIED,
                                                              CommitmentStatus.CANCELLED)


def samples() -> dict[str, Any]:
    """Sample data for every component of templates/operations/components.html."""
    today = council_today()
    form = SampleForm(formdata=MultiDict())
    form.organisation_id.choices = choice_needed(grouped_options({
        "Қазақстан": [(1, "Маңғыстау облысының әкімдігі")],
        "Türkmenistan": [(2, "Balkan welaýat häkimligi")],
        _("International organisations"): [(3, "UNDP")]}))
    form.validate()
    commitments = [
        SampleCommitment(SAMPLE_TEXTS[0], "TRD-2026-001-KZ1", CommitmentStatus.IN_PROGRESS, 45,
                         today - timedelta(days=3)),
        SampleCommitment(SAMPLE_TEXTS[1], "TRD-2026-001-TM1", CommitmentStatus.REPORTED_DONE, 100,
                         today + timedelta(days=10)),
        SampleCommitment(SAMPLE_TEXTS[2], "TRD-2026-002-KZ1", CommitmentStatus.PLANNED, None,
                         today + timedelta(days=40)),
    ]
    return {"form": form, "commitments": commitments, "today": today,
            "commitment_statuses": list(CommitmentStatus),
            "status_choices": [(status.value, status.label) for status in CommitmentStatus],
            "recommendation_statuses": list(RecommendationStatus),
            "moves": [CommitmentStatus.IN_PROGRESS, CommitmentStatus.REPORTED_DONE, CommitmentStatus.BLOCKED,
                      CommitmentStatus.CANCELLED],
            "status_form": StatusForm(formdata=None, meta={"csrf": False})}
