"""The enforcement rules as the device holds them: ladder, advice, no-penalty lists,
the violation catalogue, the working-day calendar, the city's settings.

The public surface of the area: UI, CLI and other areas import from here."""

from __future__ import annotations

from fieldapp.interchange.holiday_calendar import CalendarImportError
from fieldapp.services.rules.advice import (
    Advice,
    advise,
)
from fieldapp.services.rules.calendar import (
    add_calendar_day,
    calendar_days,
    calendar_years,
    deadline_calendar,
    import_calendar_csv,
    remove_user_day,
    work_calendar,
)
from fieldapp.services.rules.catalogue import (
    load_catalogue,
    violation_types,
)
from fieldapp.services.rules.city_rules import (
    CityRule,
    applied_rule,
    load_city_rules,
    missing_city_rules,
    rule_versions,
    set_city_rule,
)
from fieldapp.services.rules.ladder import (
    CurrentStep,
    current_steps,
    history_before,
    ladder_decision,
    list_overrides,
)
from fieldapp.services.rules.list_review import (
    ReviewItem,
    map_item,
    publish_list,
    review_items,
)
from fieldapp.services.rules.no_penalty import (
    ImportResult,
    describe_problems,
    export_list,
    get_list,
    import_list,
    list_in_force_on,
    lists,
    load_default_list,
)
from fieldapp.services.rules.settings import (
    put_setting,
    rule_config,
    set_rule,
)

__all__ = [
    "Advice",
    "CalendarImportError",
    "CityRule",
    "CurrentStep",
    "ImportResult",
    "ReviewItem",
    "add_calendar_day",
    "advise",
    "applied_rule",
    "calendar_days",
    "calendar_years",
    "current_steps",
    "deadline_calendar",
    "describe_problems",
    "export_list",
    "get_list",
    "history_before",
    "import_calendar_csv",
    "import_list",
    "ladder_decision",
    "list_in_force_on",
    "list_overrides",
    "lists",
    "load_catalogue",
    "load_city_rules",
    "load_default_list",
    "map_item",
    "missing_city_rules",
    "publish_list",
    "put_setting",
    "remove_user_day",
    "review_items",
    "rule_config",
    "rule_versions",
    "set_city_rule",
    "set_rule",
    "violation_types",
    "work_calendar",
]
