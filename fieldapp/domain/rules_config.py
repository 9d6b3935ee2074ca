"""A city's settings of the rules. Defaults follow DOMAIN.md; every value is data.

Stored per data directory (``rule_setting`` rows, synced from HQ later); read through
``services.settings``. Money is in yuan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from fieldapp.domain.errors import ValidationError
from fieldapp.domain.localtime import DEFAULT_ZONE, zone_from_name

_KEY_TEXT = re.compile(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]")  # 256 bits in 43 characters
LIMITATION_MONTHS = 24  # 行政处罚法 art. 36: not discovered within two years → no penalty


@dataclass(frozen=True)
class RuleConfig:
    # The three-step ladder.
    lookback_months: int = 12
    reset_on_corrected_episode: bool = True
    # 简易程序 (art. 51): a warning, or a fine up to these amounts.
    summary_fine_max_individual: float = 200
    summary_fine_max_organisation: float = 3000
    # 听证 (art. 63) "较大数额": set by provinces; configure per city.
    hearing_fine_individual: float = 5000
    hearing_fine_organisation: float = 50000
    # 重大执法决定法制审核 (art. 58): thresholds that make legal review mandatory.
    legal_review_fine_individual: float = 5000
    legal_review_fine_organisation: float = 50000
    legal_review_all_ordinary_cases: bool = False
    # 集体讨论 (art. 57): fines at or above these go to collective discussion.
    collective_fine_individual: float = 10000
    collective_fine_organisation: float = 100000
    statement_window_working_days: int = 5
    # The agency's time zone (IANA name): every date a person reads or types.
    time_zone: str = DEFAULT_ZONE
    # The agency's backup public key (X25519, base64url; published by HQ): backups are
    # encrypted to it, and only the agency's private key, kept off the device, opens them.
    backup_public_key: str = ""
    # Whether the command line's read-only commands (find, show, list …) need an officer
    # logged in too; changing commands always do.
    cli_reads_need_login: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.lookback_months <= LIMITATION_MONTHS:
            raise ValidationError(
                "look-back window", "must be between 1 and {limit} months (the two-year "
                "limitation of art. 36)", limit=LIMITATION_MONTHS)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ValidationError(f.name, "must not be negative")
        zone_from_name(self.time_zone)
        if self.backup_public_key and not is_public_key_text(self.backup_public_key):
            raise ValidationError("backup public key", "'{value}' is not a public key "
                                  "(43 characters of base64url)", value=self.backup_public_key)

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> RuleConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def is_public_key_text(text: str) -> bool:
    """Whether ``text`` is 32 bytes in unpadded base64url (how the app writes keys)."""
    return _KEY_TEXT.fullmatch(text) is not None
