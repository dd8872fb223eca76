"""Default nurse-to-patient ratios and HPPD targets per unit type, each with its source.

RN ratios are the minimum licensed-nurse-to-patient ratios of **California Code of Regulations,
Title 22, Division 5, section 70217(a)** (in force since 2004; the only comprehensive US state
mandate), read as "one RN per N patients at all times". California counts LPNs/LVNs towards
the licensed ratio for part of the staff; this product counts RNs only, which is the stricter
reading. There is no federal or Californian ratio for certified nursing assistants (CNA): the CNA
defaults below are **local policy** placeholders that each unit should set.

HPPD (nursing hours per patient day) defaults are the hours the ratios imply,
``24 / patients_per_rn + 24 / patients_per_cna`` (e.g. med-surg 24/5 + 24/8 = 7.8 HPPD), so the two
methods agree until a unit sets its own HPPD target (e.g. from its budget or the NDNQI benchmark
it subscribes to).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

TITLE_22 = "California CCR Title 22 §70217(a)"
LOCAL_POLICY = "local policy default (no US federal or California CNA ratio); set per unit"


@dataclass(frozen=True)
class StaffingStandard:
    """Staffing rule of one unit.

    ``patients_per_rn`` / ``patients_per_cna``: patients one RN / CNA may care for (``None`` = no
    CNA on this unit). ``hppd``: optional nursing hours per patient day target (RN + CNA); when set,
    staffing uses it instead of the ratios, split by ``rn_share`` (fraction of nursing hours worked
    by RNs; default: the share implied by the ratios). ``rn_source`` / ``cna_source``: citations.
    """

    unit_type: str
    patients_per_rn: float
    patients_per_cna: float | None
    rn_source: str
    cna_source: str = LOCAL_POLICY
    hppd: float | None = None
    rn_share: float | None = None

    def __post_init__(self) -> None:
        """Refuse a rule that cannot staff a unit (it would divide by zero or give negative staff later)."""
        if not self.patients_per_rn > 0:
            raise ValueError(f"patients_per_rn must be above 0 (got {self.patients_per_rn}).")
        if self.patients_per_cna is not None and not self.patients_per_cna > 0:
            raise ValueError(f"patients_per_cna must be above 0, or None for no CNAs (got {self.patients_per_cna}).")
        if self.hppd is not None and not self.hppd > 0:
            raise ValueError(f"hppd must be above 0, or None to staff by the ratios (got {self.hppd}).")
        if self.rn_share is not None and not 0 < self.rn_share <= 1:
            raise ValueError(f"rn_share must be above 0 and at most 1 (got {self.rn_share}).")

    def implied_hppd(self) -> float:
        """Nursing hours per patient day implied by the ratios (24 h / patients per nurse, RN + CNA)."""
        cna = 24 / self.patients_per_cna if self.patients_per_cna else 0.0
        return 24 / self.patients_per_rn + cna

    def implied_rn_share(self) -> float:
        """Fraction of nursing hours worked by RNs under the ratios."""
        return (24 / self.patients_per_rn) / self.implied_hppd()

    def with_overrides(self, **changes: float | None) -> StaffingStandard:
        """Copy with some fields changed (e.g. ``patients_per_rn=4`` for a unit's own policy); the default itself is
        not changed. Raises ``ValueError`` for a value that cannot staff a unit (see the class) and ``TypeError`` for
        a field the rule does not have."""
        return replace(self, **changes)


DEFAULT_STANDARDS: dict[str, StaffingStandard] = {
    "ICU": StaffingStandard("ICU", 2, 8, f"{TITLE_22}: intensive/critical care 1:2"),
    "step_down": StaffingStandard("step_down", 3, 8, f"{TITLE_22}: step-down 1:3"),
    "ED": StaffingStandard("ED", 4, 8, f"{TITLE_22}: emergency department 1:4"),
    "med_surg": StaffingStandard("med_surg", 5, 8, f"{TITLE_22}: medical/surgical 1:5"),
    "telemetry": StaffingStandard("telemetry", 4, 8, f"{TITLE_22}: telemetry 1:4"),
    "pediatrics": StaffingStandard("pediatrics", 4, 8, f"{TITLE_22}: pediatrics 1:4"),
    "L&D": StaffingStandard("L&D", 2, 8, f"{TITLE_22}: labor and delivery, active labor 1:2"),
    "oncology": StaffingStandard("oncology", 4, 8, f"{TITLE_22}: specialty care/oncology 1:4"),
    "behavioral_health": StaffingStandard(
        "behavioral_health", 6, 6, f"{TITLE_22}: psychiatric units 1:6", f"{LOCAL_POLICY} (mental health techs)"
    ),
    "OR": StaffingStandard("OR", 1, None, f"{TITLE_22}: operating room 1:1 (circulating RN per patient)"),
    "telehealth": StaffingStandard("telehealth", 5, None, f"no mandate; med-surg ratio of {TITLE_22} used"),
    "other": StaffingStandard("other", 5, 8, f"no mandate; med-surg ratio of {TITLE_22} used"),
}
"""Default standard per canonical unit type (``data_loaders.schema.UNIT_TYPES``)."""


def standard_for(unit_type: str | None) -> StaffingStandard:
    """Default standard for ``unit_type``; unknown or missing types get the med-surg (``other``) rule."""
    return DEFAULT_STANDARDS.get(str(unit_type), DEFAULT_STANDARDS["other"])
