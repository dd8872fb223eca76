"""The people of the sample hospital: who they are, how they work, and the growable roster that holds them.

People are rows of numpy arrays in :class:`Roster` (one row per person ever employed in the
simulation, including hires whose start date is still ahead). :func:`new_people` draws a person's
work pattern, FTE, pay and dispositions from their role and unit type.
"""

from __future__ import annotations

import numpy as np

from data_loaders.schema import EMPLOYMENT_TYPES, ROLES
from sample_data import config

PATTERN_CODES = tuple(config.PATTERNS)
PATTERN_START = np.array([config.PATTERNS[p][0] for p in PATTERN_CODES])
PATTERN_LENGTH = np.array([config.PATTERNS[p][1] for p in PATTERN_CODES])
D12, N12, D8, E8, N8 = range(5)
NO_DAY = 10**9
"""Day number meaning "never" (no termination yet, or a hire that will not happen)."""

STAFF, AGENCY, TRAVEL, PER_DIEM = (EMPLOYMENT_TYPES.index(t) for t in ("staff", "agency", "travel", "per_diem"))
ROLE = {r: i for i, r in enumerate(ROLES)}
VOLUNTARY, INVOLUNTARY, CONTRACT_END = 1, 2, 3

_TWELVE_HOUR_UNITS = frozenset({"ED", "ICU", "step_down", "telemetry", "L&D", "oncology"})
_MIXED_UNITS = frozenset({"med_surg", "pediatrics", "behavioral_health"})
_RESPIRATORY_UNITS = frozenset({"ED", "ICU", "step_down", "telemetry"})

FIELDS: dict[str, type] = {
    "role": np.int64,
    "unit": np.int64,
    "hire_day": np.int64,
    "term_day": np.int64,
    "term_reason": np.int64,
    "fte": np.float64,
    "emp_type": np.int64,
    "pattern": np.int64,
    "alt_pattern": np.int64,
    "flip": np.float64,
    "weekday_only": bool,
    "propensity": np.float64,
    "morale_base": np.float64,
    "morale": np.float64,
    "response": np.float64,
    "rate": np.float64,
    "consent": bool,
    "manager": bool,
    "leave_until": np.int64,
    "last_end": np.float64,
    "tenure_at_hire": np.float64,
}


class Roster:
    """Everyone in the simulation as parallel numpy arrays (attribute per field of ``FIELDS``), plus
    12-week rings of weekly overtime hours (``ot_ring``) and quick returns (``qr_ring``)."""

    def __init__(self) -> None:
        for name, dtype in FIELDS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.ot_ring = np.zeros((0, 12))
        self.qr_ring = np.zeros((0, 12))

    def __len__(self) -> int:
        return len(self.role)

    def add(self, people: dict[str, np.ndarray]) -> np.ndarray:
        """Append people (a dict with every field) and return their row numbers."""
        n = len(people["role"])
        first = len(self)
        for name, dtype in FIELDS.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.asarray(people[name], dtype=dtype)]))
        self.ot_ring = np.vstack([self.ot_ring, np.zeros((n, 12))])
        self.qr_ring = np.vstack([self.qr_ring, np.zeros((n, 12))])
        return np.arange(first, first + n)


def _choice(rng: np.random.Generator, options: list[int], p: list[float], n: int) -> np.ndarray:
    return np.asarray(options)[rng.choice(len(options), size=n, p=np.asarray(p) / np.sum(p))]


def _patterns(rng: np.random.Generator, role: str, unit_type: str, n: int) -> tuple[np.ndarray, ...]:
    """Primary pattern, alternate pattern (-1 none), daily flip probability and weekday-only flag.

    Rules (*assumptions*): RNs on ICU/ED/step-down/telemetry/L&D/oncology work 12 h; on med-surg,
    pediatrics and behavioral health 55 % work 12 h and 45 % 8 h; OR and telehealth work 8 h days and
    evenings; half of the 8 h day/evening staff rotate between day and evening (the rotation that
    produces quick returns); 5 % of 12 h staff rotate day/night week by week.
    """
    alt = np.full(n, -1)
    flip = np.zeros(n)
    weekday_only = np.zeros(n, dtype=bool)
    twelve = np.zeros(n, dtype=bool)
    if role == "admin":
        pattern = _choice(rng, [D8, E8], [0.8, 0.2], n)
        weekday_only = pattern == D8
        return pattern, alt, flip, weekday_only
    if role in ("physician", "APP"):
        if unit_type in ("OR", "telehealth"):
            return np.full(n, D8), alt, flip, np.ones(n, dtype=bool)
        return _choice(rng, [D12, N12], [0.65, 0.35], n), alt, flip, weekday_only
    if unit_type == "OR":
        pattern = _choice(rng, [D8, E8, N8], [0.8, 0.15, 0.05], n)
        return pattern, alt, flip, pattern == D8
    if unit_type == "telehealth":
        pattern = _choice(rng, [D8, E8], [0.6, 0.4], n)
        rotate = rng.random(n) < 0.5
        alt = np.where(rotate, np.where(pattern == D8, E8, D8), -1)
        flip = np.where(rotate, rng.uniform(0.15, 0.4, n), 0.0)
        return pattern, alt, flip, weekday_only
    if role == "therapist" and unit_type not in _RESPIRATORY_UNITS:
        return np.full(n, D8), alt, flip, np.ones(n, dtype=bool)
    if role in ("RN", "tech", "therapist") and (unit_type in _TWELVE_HOUR_UNITS or role == "therapist"):
        twelve[:] = True
    elif role == "RN" and unit_type in _MIXED_UNITS:
        twelve = rng.random(n) < 0.55
    elif role in ("CNA", "LPN") and unit_type in ("ED", "ICU"):
        twelve = rng.random(n) < 0.5
    p12 = _choice(rng, [D12, N12], [0.58, 0.42], n)
    rot12 = rng.random(n) < 0.05
    p8 = _choice(rng, [D8, E8, N8], [0.37, 0.35, 0.28], n)
    rot8 = (p8 != N8) & (rng.random(n) < 0.5)
    pattern = np.where(twelve, p12, p8)
    alt = np.where(twelve, np.where(rot12, np.where(p12 == D12, N12, D12), -1), np.where(rot8, 5 - p8, -1))
    flip = np.where(~twelve & rot8, rng.uniform(0.15, 0.4, n), 0.0)
    return pattern, alt, flip, weekday_only


def new_people(
    rng: np.random.Generator,
    n: int,
    role: str,
    unit: int,
    unit_type: str,
    hire_day: np.ndarray | int,
    emp_type: int = STAFF,
    tenure_years: np.ndarray | float = 0.0,
    term_day: np.ndarray | int = NO_DAY,
) -> dict[str, np.ndarray]:
    """Draw ``n`` people of one role and unit (fields of :data:`FIELDS`).

    FTE (*assumption*): 12 h staff 0.9 (3 shifts), 0.6 or 0.3; 8 h staff 1.0, 0.8, 0.6 or 0.5;
    per-diem staff carry a nominal 0.2; contract staff work full lines (0.9 on 12 h, 1.0 on 8 h).
    ``propensity`` is the person's readiness to pick up extra shifts (lognormal, per-diem x2.5);
    ``morale_base`` their baseline morale (normal, sd 0.45), which pulse answers reflect.
    """
    pattern, alt, flip, weekday_only = _patterns(rng, role, unit_type, n)
    twelve = PATTERN_LENGTH[pattern] == 12
    fte = np.where(
        twelve,
        _choice_float(rng, [0.9, 0.6, 0.3], [0.72, 0.22, 0.06], n),
        _choice_float(rng, [1.0, 0.8, 0.6, 0.5], [0.55, 0.25, 0.12, 0.08], n),
    )
    if role in ("physician", "APP", "admin"):
        fte = np.where(twelve, 0.9, 1.0)
    contract = emp_type in (AGENCY, TRAVEL)
    if contract:
        fte = np.where(twelve, 0.9, 1.0)
        alt = np.full(n, -1)
        flip = np.zeros(n)
    if emp_type == PER_DIEM:
        fte = np.full(n, 0.2)
    propensity = rng.lognormal(0.0, 0.6, n) * (2.5 if emp_type == PER_DIEM else 1.0) * (0.0 if contract else 1.0)
    tenure = np.broadcast_to(np.asarray(tenure_years, dtype=float), (n,))
    rate = (
        config.HOURLY_RATE[role]
        * rng.lognormal(0.0, 0.1, n)
        * (1 + 0.012 * np.minimum(tenure, 20))
        * (config.CONTRACT_RATE_FACTOR if contract else 1.0)
    )
    return {
        "role": np.full(n, ROLE[role]),
        "unit": np.full(n, unit),
        "hire_day": np.broadcast_to(np.asarray(hire_day), (n,)).copy(),
        "term_day": np.broadcast_to(np.asarray(term_day), (n,)).copy(),
        "term_reason": np.zeros(n),
        "fte": fte,
        "emp_type": np.full(n, emp_type),
        "pattern": pattern,
        "alt_pattern": alt,
        "flip": flip,
        "weekday_only": weekday_only,
        "propensity": propensity,
        "morale_base": rng.normal(0.0, 0.45, n),
        "morale": np.zeros(n),
        "response": rng.beta(3.0, 2.5, n) if not contract else np.zeros(n),
        "rate": np.round(rate, 2),
        "consent": (rng.random(n) < config.WELLBEING_CONSENT_SHARE) & (not contract),
        "manager": np.zeros(n, dtype=bool),
        "leave_until": np.full(n, -NO_DAY),
        "last_end": np.full(n, -1e9),
        "tenure_at_hire": tenure,
    }


def _choice_float(rng: np.random.Generator, options: list[float], p: list[float], n: int) -> np.ndarray:
    return np.asarray(options)[rng.choice(len(options), size=n, p=np.asarray(p) / np.sum(p))]


_FIRST_NAMES_TEXT = (
    "James Mary Michael Patricia John Jennifer Robert Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret "
    "Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa "
    "Timothy Deborah Ronald Stephanie Jason Rebecca George Sharon Edward Laura Jeffrey Cynthia Ryan Amy Jacob "
    "Kathleen Nicholas Angela Gary Shirley Eric Brenda Jonathan Emma Stephen Anna Larry Pamela Justin Nicole Scott "
    "Samantha Brandon Katherine Benjamin Christine Samuel Debra Gregory Rachel Alexander Carolyn Patrick Janet Frank "
    "Maria Raymond Olivia Jack Heather Dennis Helen Jerry Catherine Tyler Diane Aaron Julie Jose Victoria Adam Joyce "
    "Nathan Lauren Henry Kelly Zachary Christina Douglas Ruth Peter Joan Kyle Virginia Noah Judith Ethan Evelyn "
    "Priya Wei Mohammed Fatima Carlos Sofia Luis Ana Nguyen Mei Oluwaseun Amara Rahul Aisha Diego Camila"
)
_FIRST_NAMES = tuple(_FIRST_NAMES_TEXT.split())
_LAST_NAMES_TEXT = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Okafor Shah Singh Kowalski Nakamura Haddad Mensah"
)
_LAST_NAMES = tuple(_LAST_NAMES_TEXT.split())


def names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic first and last names drawn from common US given names and surnames (US SSA and
    Census Bureau frequency lists); any resemblance to a real person is chance."""
    return rng.choice(_FIRST_NAMES, n), rng.choice(_LAST_NAMES, n)
