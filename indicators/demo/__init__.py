"""Indicator demo data: results frameworks, targets and submissions for the demo grants (through the services,
so every trail exists), and bulk indicator data for the synthetic ``IL-S`` grants (``--scale``).

Grants are made by ``grants.demo``; this module only adds what hangs off them, so it can be reset on its own.
"""

from indicators.demo.loader import (
    ACHIEVEMENTS,
    CHALLENGES,
    CORE,
    EXTRA,
    FRAMEWORK,
    NEXT_STEPS,
    REPORTING_STATUSES,
    SCALE_CODES,
    Figures,
    IndicatorDemoResult,
    delete_indicator_demo,
    demo_projects,
    is_loaded,
    load_indicator_demo,
)
from indicators.demo.scale import BATCH, delete_scale_indicators, load_scale_indicators, scale_is_loaded

__all__ = [
    "ACHIEVEMENTS",
    "BATCH",
    "CHALLENGES",
    "CORE",
    "EXTRA",
    "FRAMEWORK",
    "NEXT_STEPS",
    "REPORTING_STATUSES",
    "SCALE_CODES",
    "Figures",
    "IndicatorDemoResult",
    "delete_indicator_demo",
    "delete_scale_indicators",
    "demo_projects",
    "is_loaded",
    "load_indicator_demo",
    "load_scale_indicators",
    "scale_is_loaded",
]
