"""Every write with rules or history in the indicators app.

As in grants.services: keyword-only, atomic, ``full_clean()``, a history row, ``ValidationError`` keyed by the
field to blame (cell errors by ``indicators.cells.field_name``). Callers check permissions first
(``indicators.access``); these functions enforce the domain rules: which status allows what, stale saves,
locked data, closed periods.

Drafts keep everything typed. ``submission_save_draft`` stores each cell's text as typed and its numbers where
the text is a number that fits, then returns the validation result instead of raising for figure errors; only
problems that make the whole save meaningless (a stale version, a locked report, a closed period, a cell that
does not belong to this project) raise, and then nothing is written. ``submission_submit`` re-checks the stored
text with ``complete=True`` and refuses while any error remains.
"""

from indicators.services.common import change_threshold
from indicators.services.framework import (
    cross_indicator_rule_create,
    project_indicator_create,
    project_indicator_update,
    result_node_create,
    target_revise,
    target_set,
)
from indicators.services.library import indicator_create, indicator_set_active, indicator_update
from indicators.services.periods import (
    PeriodGeneration,
    reporting_period_set_status,
    reporting_periods_generate,
)
from indicators.services.submissions import (
    NARRATIVE,
    TEXT_MAX,
    DraftSave,
    SubmissionInvalid,
    review_comment_add,
    submission_approve,
    submission_evidence_add,
    submission_get_or_create_draft,
    submission_reopen,
    submission_return,
    submission_save_draft,
    submission_submit,
    submission_validate,
)

__all__ = [
    "NARRATIVE",
    "TEXT_MAX",
    "DraftSave",
    "PeriodGeneration",
    "SubmissionInvalid",
    "change_threshold",
    "cross_indicator_rule_create",
    "indicator_create",
    "indicator_set_active",
    "indicator_update",
    "project_indicator_create",
    "project_indicator_update",
    "reporting_period_set_status",
    "reporting_periods_generate",
    "result_node_create",
    "review_comment_add",
    "submission_approve",
    "submission_evidence_add",
    "submission_get_or_create_draft",
    "submission_reopen",
    "submission_return",
    "submission_save_draft",
    "submission_submit",
    "submission_validate",
    "target_revise",
    "target_set",
]
