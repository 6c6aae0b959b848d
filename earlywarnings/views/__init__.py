"""Pages of early-warning work: the station's queue (a county or city user's: every open
task of the subtree), one task with its timeline, the county's review of the feedback,
the backlog table, and the 四必查 reviews.

Every read goes through ``for_user(user)`` (outside the subtree is a 404, actions
included); every change goes through ``earlywarnings.services`` (or ``checks``). An
action redirects back to the page it came from (``next``); when the service refuses, the
page is shown again with the refusal on the form, what was typed kept, nothing changed.
"""

from earlywarnings.views.actions import warning_attempt, warning_handle, warning_review, warning_sign, warning_transfer
from earlywarnings.views.backlog import backlog_for, warning_backlog
from earlywarnings.views.checks import review_conclude, review_detail, review_list
from earlywarnings.views.pages import warning_detail, warning_queue, warning_review_list
from earlywarnings.views.reveal import warning_reveal

__all__ = [
    "backlog_for",
    "review_conclude",
    "review_detail",
    "review_list",
    "warning_attempt",
    "warning_backlog",
    "warning_detail",
    "warning_handle",
    "warning_queue",
    "warning_reveal",
    "warning_review",
    "warning_review_list",
    "warning_sign",
    "warning_transfer",
]  # fmt: skip
