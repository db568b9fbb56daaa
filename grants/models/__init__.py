"""Grant models, split by responsibility and re-exported here."""

from grants.models.grant import (
    GRANT_TRANSITION_VERBS,
    GRANT_TRANSITIONS,
    Grant,
    GrantStatus,
    GrantStatusChange,
    Modification,
    ModificationKind,
    ReportingFrequency,
)
from grants.models.notifications import EmailState, Notification, NotificationKind, NotificationPreference
from grants.models.people import Organisation, User
from grants.models.project import (
    DELIVERABLE_CATEGORIES,
    MILESTONE_TRANSITIONS,
    OPEN_MILESTONE_STATUSES,
    CountryProject,
    Milestone,
    MilestoneCategory,
    MilestoneEvidence,
    MilestoneStatus,
    MilestoneStatusChange,
)
from grants.models.reference import TargetGroup, Theme

__all__ = [
    "DELIVERABLE_CATEGORIES",
    "GRANT_TRANSITIONS",
    "GRANT_TRANSITION_VERBS",
    "MILESTONE_TRANSITIONS",
    "OPEN_MILESTONE_STATUSES",
    "CountryProject",
    "EmailState",
    "Grant",
    "GrantStatus",
    "GrantStatusChange",
    "Milestone",
    "MilestoneCategory",
    "MilestoneEvidence",
    "MilestoneStatus",
    "MilestoneStatusChange",
    "Modification",
    "ModificationKind",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Organisation",
    "ReportingFrequency",
    "TargetGroup",
    "Theme",
    "User",
]
