"""Demo and scale data for the grants app.

Two loaders, both used by ``manage.py load_demo``:

- ``load_demo_portfolio`` builds a small, realistic portfolio THROUGH ``grants.services`` so that every grant,
  modification, country project and milestone has its status trail and history, exactly as if program
  officers had entered it. Dates are computed from ``today`` so the demo always looks current: some
  milestones are overdue, some fall due within the next 30 days.
- ``load_scale_portfolio`` writes a large synthetic portfolio with ``bulk_create`` (no services, no
  django-simple-history rows) to see how screens and reports behave with hundreds of grants and tens of
  thousands of milestones.

Demo rows are recognised by their award numbers (the fixed serial numbers below), scale rows by the
``IL-S`` award-number prefix, so each set can be reset without touching the other or anything users entered.
"""

from grants.demo.data import GRANTS, GrantSpec, ModSpec, ProjectSpec
from grants.demo.loader import (
    ACTIVITIES,
    DEMO_SERIALS,
    LATE_REASONS,
    LoadResult,
    PlannedMilestone,
    Step,
    add_months,
    award_number,
    delete_demo_portfolio,
    delete_scale_portfolio,
    demo_grants,
    load_demo_portfolio,
    milestone_steps,
    plan_milestones,
    scale_grants,
)
from grants.demo.people import (
    DEMO_PASSWORD,
    ORGANISATIONS,
    PEOPLE,
    SCALE_PREFIX,
    TARGET_GROUPS,
    THEMES,
    DemoLogin,
    OrgSpec,
    People,
    PersonSpec,
    demo_logins,
    ensure_people,
    ensure_reference_lists,
    format_logins,
)
from grants.demo.scale import (
    SCALE_COUNTRIES,
    SCALE_MILESTONES_PER_PROJECT,
    SCALE_ORG_WORDS,
    SCALE_PLACES,
    SCALE_PROJECTS_CYCLE,
    SCALE_STATUS_CYCLE,
    SCALE_TITLES,
    ScaleResult,
    load_scale_portfolio,
)

__all__ = [
    "ACTIVITIES",
    "DEMO_PASSWORD",
    "DEMO_SERIALS",
    "GRANTS",
    "LATE_REASONS",
    "ORGANISATIONS",
    "PEOPLE",
    "SCALE_COUNTRIES",
    "SCALE_MILESTONES_PER_PROJECT",
    "SCALE_ORG_WORDS",
    "SCALE_PLACES",
    "SCALE_PREFIX",
    "SCALE_PROJECTS_CYCLE",
    "SCALE_STATUS_CYCLE",
    "SCALE_TITLES",
    "TARGET_GROUPS",
    "THEMES",
    "DemoLogin",
    "GrantSpec",
    "LoadResult",
    "ModSpec",
    "OrgSpec",
    "People",
    "PersonSpec",
    "PlannedMilestone",
    "ProjectSpec",
    "ScaleResult",
    "Step",
    "add_months",
    "award_number",
    "delete_demo_portfolio",
    "delete_scale_portfolio",
    "demo_grants",
    "demo_logins",
    "ensure_people",
    "ensure_reference_lists",
    "format_logins",
    "load_demo_portfolio",
    "load_scale_portfolio",
    "milestone_steps",
    "plan_milestones",
    "scale_grants",
]
