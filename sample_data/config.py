"""Assumptions of the sample hospital, each with its source (see ``docs/sample_hospital.md``).

Every number that shapes the generated data lives here, so a reader can find and change one
assumption without reading the simulation. Figures marked *assumption* are this generator's
own choices for a believable US mid-size hospital; the others cite a published source.
"""

from __future__ import annotations

from dataclasses import dataclass

TIMEZONE_DEFAULT = "America/New_York"


@dataclass(frozen=True)
class UnitSpec:
    """One care unit of the sample hospital at scale 1.

    ``arrivals_per_day`` are admissions (ED: attendances; OR: cases; telehealth: virtual visits)
    per day at the yearly mean; ``los_hours`` the mean length of stay in the unit (hours);
    ``rn_ratio`` patients per RN (California Title 22 §70217 minimums where they exist);
    ``coverage`` the share of the RN hours the ratios require that the unit's own staff are
    budgeted to cover (below 1 = a chronically short unit, *assumption*); ``winter`` the amplitude
    of the yearly cycle (peak mid-January); ``respiratory`` the extra height of the winter
    respiratory surge (peak early January); ``weekend`` the arrival level on Saturday/Sunday
    relative to weekdays (elective surgery runs on weekdays); ``acuity`` the mean acuity (1-5).
    """

    unit_id: str
    name: str
    unit_type: str
    beds: int
    arrivals_per_day: float
    los_hours: float
    rn_ratio: float
    coverage: float
    winter: float
    respiratory: float
    weekend: float
    acuity: float
    arrival_profile: str
    inpatient: bool = True


# Title 22 §70217(a): ICU 1:2, step-down 1:3, telemetry 1:4, medical-surgical 1:5, ED 1:4,
# pediatrics 1:4, oncology 1:4 (specialty care), psychiatric 1:6, operating room 1 circulating RN per
# patient, labor 1:2 and postpartum mother-baby couplets 1:4 (blended here to 1:3 for an LDRP unit).
# Arrivals and lengths of stay are *assumptions* chosen so mean occupancy is 75-90 % of staffed beds.
UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("ED", "Emergency Department", "ED", 90, 280.0, 4.5, 4, 0.80, 0.08, 0.10, 1.0, 3.0, "ed"),
    UnitSpec("ICU", "Intensive Care Unit", "ICU", 46, 9.2, 92.0, 2, 0.98, 0.06, 0.06, 0.9, 4.1, "inpatient"),
    UnitSpec("SDU", "Step-Down Unit", "step_down", 46, 10.4, 82.0, 3, 0.80, 0.06, 0.06, 0.9, 3.4, "inpatient"),
    UnitSpec("MS3", "Med-Surg 3 West", "med_surg", 56, 8.8, 108.0, 5, 0.98, 0.07, 0.06, 0.75, 2.6, "elective"),
    UnitSpec("MS4", "Med-Surg 4 East", "med_surg", 62, 7.2, 108.0, 5, 0.82, 0.07, 0.06, 0.75, 2.6, "elective"),
    UnitSpec("MS5", "Med-Surg 5 (old wing)", "med_surg", 36, 6.1, 108.0, 5, 0.97, 0.07, 0.06, 0.75, 2.5, "elective"),
    UnitSpec("TELE", "Telemetry", "telemetry", 52, 11.8, 77.0, 4, 0.98, 0.06, 0.05, 0.85, 3.0, "inpatient"),
    UnitSpec("LD", "Labor, Delivery & Postpartum", "L&D", 38, 11.7, 56.0, 3, 0.99, 0.02, 0.0, 0.95, 2.7, "ld"),
    UnitSpec("PEDS", "Pediatrics", "pediatrics", 36, 8.4, 67.0, 4, 0.99, 0.10, 0.30, 0.9, 2.5, "inpatient"),
    UnitSpec("ONC", "Oncology", "oncology", 42, 5.6, 132.0, 4, 0.98, 0.02, 0.02, 0.8, 3.1, "elective"),
    UnitSpec("BH", "Behavioral Health", "behavioral_health", 36, 3.0, 216.0, 6, 0.80, 0.02, 0.0, 0.9, 2.3, "inpatient"),
    UnitSpec("OR", "Operating Rooms", "OR", 22, 52.0, 2.3, 1, 0.98, 0.02, 0.0, 0.12, 3.5, "or"),
    UnitSpec(
        "TH", "Telehealth Virtual Care", "telehealth", 0, 140.0, 0.45, 3, 0.99, 0.04, 0.05, 0.6, 1.8, "tele", False
    ),
)

# Unit history (*assumption*): the telehealth unit opens 40 % into the window; the old med-surg wing
# MS5 closes 55 % into the window and merges into MS4, which takes 60 % of its patients; MS3 and TELE
# take 20 % each. Staff follow their patients in the same shares.
OPENING_UNIT = "TH"
OPENING_FRACTION = 0.40
CLOSING_UNIT = "MS5"
CLOSING_FRACTION = 0.55
MERGED_INTO = "MS4"
MERGER_SPLIT = {"MS4": 0.6, "MS3": 0.2, "TELE": 0.2}
# A patient arriving on a full inpatient unit boards (waits in the ED or the referring unit) until a bed
# frees, for at most this many hours; then they take a surge (hallway) bed above the staffed beds
# (*assumption*; ED boarding of admitted patients is commonly measured in hours, e.g. CMS ED-2).
BOARDING_HOURS_MAX = 24.0
# Units with a charge nurse without a patient assignment on every shift (*assumption*: units of 20+ beds).
CHARGE_NURSE_MIN_BEDS = 20

# Shift patterns: (local start hour, scheduled length in hours).
PATTERNS: dict[str, tuple[int, int]] = {
    "D12": (7, 12),
    "N12": (19, 12),
    "D8": (7, 8),
    "E8": (15, 8),
    "N8": (23, 8),
}

# Non-RN staff per RN by unit type (*assumption*, tuned so scale 1 has ~2,000 people with RNs the
# largest group, as in US hospitals where RNs are the largest occupation - BLS OEWS, NAICS 622).
SUPPORT_PER_RN: dict[str, dict[str, float]] = {
    "ED": {"LPN": 0.04, "CNA": 0.34, "tech": 0.54, "therapist": 0.14, "physician": 0.41, "APP": 0.27, "admin": 0.54},
    "ICU": {"LPN": 0.0, "CNA": 0.27, "tech": 0.34, "therapist": 0.34, "physician": 0.2, "APP": 0.16, "admin": 0.34},
    "step_down": {
        "LPN": 0.07,
        "CNA": 0.54,
        "tech": 0.34,
        "therapist": 0.14,
        "physician": 0.14,
        "APP": 0.11,
        "admin": 0.41,
    },
    "med_surg": {
        "LPN": 0.2,
        "CNA": 0.74,
        "tech": 0.27,
        "therapist": 0.2,
        "physician": 0.16,
        "APP": 0.11,
        "admin": 0.47,
    },
    "telemetry": {
        "LPN": 0.14,
        "CNA": 0.61,
        "tech": 0.47,
        "therapist": 0.14,
        "physician": 0.14,
        "APP": 0.11,
        "admin": 0.41,
    },
    "L&D": {"LPN": 0.07, "CNA": 0.34, "tech": 0.41, "therapist": 0.03, "physician": 0.27, "APP": 0.2, "admin": 0.41},
    "pediatrics": {
        "LPN": 0.07,
        "CNA": 0.41,
        "tech": 0.2,
        "therapist": 0.2,
        "physician": 0.2,
        "APP": 0.14,
        "admin": 0.41,
    },
    "OR": {"LPN": 0.0, "CNA": 0.14, "tech": 1.08, "therapist": 0.0, "physician": 0.61, "APP": 0.34, "admin": 0.47},
    "oncology": {
        "LPN": 0.14,
        "CNA": 0.47,
        "tech": 0.27,
        "therapist": 0.14,
        "physician": 0.2,
        "APP": 0.16,
        "admin": 0.47,
    },
    "behavioral_health": {
        "LPN": 0.27,
        "CNA": 0.81,
        "tech": 0.68,
        "therapist": 0.54,
        "physician": 0.2,
        "APP": 0.16,
        "admin": 0.47,
    },
    "telehealth": {
        "LPN": 0.0,
        "CNA": 0.0,
        "tech": 0.27,
        "therapist": 0.0,
        "physician": 0.41,
        "APP": 0.41,
        "admin": 0.41,
    },
}

# RN hours one budgeted RN position delivers per week: 0.85 FTE average x 40 h, less ~10 % absence
# (*assumption*, consistent with the PTO and sick rates below).
RN_HOURS_PER_POSITION = 32.0

# Annual separation rates (NSI Nursing Solutions, 2025 National Health Care Retention & RN Staffing
# Report: hospital turnover 18.3 %, RN turnover 16.4 % in 2024; 22.3 % of new RNs leave within the
# first year). Split voluntary/involuntary and the non-RN rates are *assumptions* around those totals.
VOLUNTARY_RATE: dict[str, float] = {
    "RN": 0.135,
    "LPN": 0.17,
    "CNA": 0.27,
    "physician": 0.07,
    "APP": 0.10,
    "tech": 0.17,
    "therapist": 0.12,
    "admin": 0.16,
    "other": 0.15,
}
INVOLUNTARY_RATE = 0.03
# Log-hazard weights of the voluntary exit model (*assumption*, tuned so a logistic model on these
# drivers reaches AUC ~0.7-0.8 on later exits): per hour of overtime in the last 12 weeks, per quick
# return in the last 12 weeks, per point of latent morale (pulse scores measure it), first-year tenure.
EXIT_WEIGHT_OVERTIME = 0.03
EXIT_WEIGHT_QUICK_RETURN = 0.12
EXIT_WEIGHT_MORALE = 1.2
EXIT_WEIGHT_FIRST_YEAR = 0.1
# Share of people leaving in their first year, for the initial tenure mix (*assumption*).
INITIAL_TENURE_YEARS_MEAN = 7.5

# Time-to-fill (requisition opened -> offer accepted) medians in days, lognormal with sigma 0.45, so the
# mean is the median x exp(0.45^2 / 2) = 1.107 x median. RN median 75 days -> mean 83 days (NSI 2025: 83
# days on average to recruit an experienced RN); other roles *assumption*.
TIME_TO_FILL_MEDIAN_DAYS: dict[str, float] = {
    "RN": 75.0,
    "LPN": 62.0,
    "CNA": 48.0,
    "physician": 150.0,
    "APP": 110.0,
    "tech": 60.0,
    "therapist": 75.0,
    "admin": 42.0,
    "other": 50.0,
}
TIME_TO_FILL_SIGMA = 0.45
REQUISITION_CANCEL_SHARE = 0.05
REQUISITION_HOLD_SHARE = 0.03
HIRE_SOURCES = ("job board", "referral", "career site", "agency conversion", "new graduate program", "internal")
HIRE_SOURCE_WEIGHTS = (0.34, 0.22, 0.2, 0.06, 0.1, 0.08)
# Positions vacant at the start, their requisitions open (short units x1.6, *assumption*): about the
# steady state that turnover x time to fill keeps open (16 % x 83 days ~ 4 %).
INITIAL_VACANCY = 0.045
# Hard-to-fill RN positions: budgeted, posted and not filled within the window (covered by travel
# staff and overtime), as a share of RN positions (short units x1.6). Turnover x time to fill alone
# keeps only ~4 % of RN positions open (Little's law); these bring the RN vacancy rate to the national
# level (NSI 2025: 9.6 %) without lengthening the time to fill of the positions that do fill.
HARD_TO_FILL_SHARE: dict[str, float] = {"RN": 0.05}

# Absence (*assumptions*): probability a scheduled shift is lost to sickness, +3 % relative per
# overtime hour in the last 4 weeks (after heavy overtime people fall sick more); chance of a PTO
# week; start rate of long leave per week and its length in weeks.
SICK_SHIFT_PROBABILITY = 0.022
SICK_OVERTIME_EFFECT = 0.03
PTO_WEEK_PROBABILITY = 0.075
LEAVE_START_PER_WEEK = 0.0008
LEAVE_WEEKS = (4, 12)

# Overtime pick-up: share of an RN gap that own staff cover with extra shifts; the rest is worked
# short (*assumption*). Travel nurses are contracted for 13-week assignments (industry standard).
GAP_FILL_SHARE = 0.75
# The posted roster already carries the extra shifts staff booked when it opened for self-scheduling: all
# of them in its first week, this share fewer per week further ahead (*assumption*); the rest is still open.
BOOKED_PICKUP_FALL_PER_WEEK = 0.15
TRAVEL_CONTRACT_WEEKS = 13
TRAVEL_SHARE_OF_GAP = 0.55
# Overtime paid over 40 h in the pay week (FLSA, 29 CFR 778.101); physicians and APPs are exempt
# (29 CFR 541.304, 541.301).
OVERTIME_WEEKLY_HOURS = 40.0
EXEMPT_ROLES = frozenset({"physician", "APP"})
# A rest of less than 11 h between shifts is a quick return (EU Working Time Directive 2003/88/EC
# art. 3 daily rest; Vedaa et al. 2016, Ergonomics 59(1):1-14).
QUICK_RETURN_HOURS = 11.0

# Base hourly rates (currency per hour, *assumption* near US BLS OEWS national means) and their
# lognormal spread; travel/agency staff paid 1.6x (*assumption*).
HOURLY_RATE: dict[str, float] = {
    "RN": 46.0,
    "LPN": 29.0,
    "CNA": 20.0,
    "physician": 135.0,
    "APP": 63.0,
    "tech": 27.0,
    "therapist": 40.0,
    "admin": 24.0,
    "other": 22.0,
}
CONTRACT_RATE_FACTOR = 1.6

# eNPS answer (0-10) = intercept + 2 x morale + noise (sd 1.3), rounded; the intercept is tuned so the
# hospital's eNPS is mildly positive (about +5 to +15), as published healthcare benchmarks are
# (docs/sample_hospital.md, "Calibration").
ENPS_INTERCEPT = 8.1
# Pulse survey: monthly, ~55 % response (*assumption*); wellbeing wearables for 15 % consenting staff.
PULSE_RESPONSE_RATE = 0.55
WELLBEING_CONSENT_SHARE = 0.15
# HCAHPS response rates are around 20-25 % of discharges (CMS HCAHPS summary of survey results).
PATIENT_EXPERIENCE_RESPONSE_RATE = 0.2
