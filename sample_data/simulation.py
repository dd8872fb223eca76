"""Week-by-week simulation of the workforce against the patient flow.

Each pay week (Sunday to Saturday, local) the simulation: starts hires and leaves; draws every
person's base schedule from their pattern and FTE; removes shifts lost to PTO, leave and sickness
(sickness more likely after recent overtime); measures the RN gap per unit, day and 12-hour block
against the ratio-driven requirement; lets the unit's own staff pick up extra shifts to cover part
of the gap (overtime, concentrated where units are short) and tops up travel/agency contracts;
counts overtime and quick returns; updates each person's morale; runs the monthly pulse survey;
and draws exits whose hazard rises with recent overtime, quick returns, low morale and first-year
tenure. Leavers open requisitions whose hires start after the time-to-fill.

Days after the last worked day are simulated as the published roster (status ``scheduled``):
base schedules and the extra shifts already booked (fewer the further ahead), no sickness or exits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from data_loaders.schema import ROLES
from sample_data import config
from sample_data.census import PatientFlow, UnitTimeline
from sample_data.clock import Clock
from sample_data.workforce import (
    AGENCY,
    CONTRACT_END,
    D8,
    D12,
    E8,
    INVOLUNTARY,
    N8,
    N12,
    NO_DAY,
    PATTERN_LENGTH,
    PATTERN_START,
    PER_DIEM,
    ROLE,
    STAFF,
    TRAVEL,
    VOLUNTARY,
    Roster,
    new_people,
)

SCHEDULE_WEEKS_AHEAD = 4
PULSE_DIMENSIONS = ("workload", "support", "burnout", "engagement")
_NON_EXEMPT = np.array([r not in config.EXEMPT_ROLES for r in ROLES])
_RN = ROLE["RN"]
_SUPPORT_PICKUP_ROLES = np.array([r in ("LPN", "CNA", "tech", "therapist", "admin") for r in ROLES])


@dataclass
class Requisitions:
    """Requisitions opened so far (parallel lists; ``hire_row`` is -1 when no person was created)."""

    unit: list[int] = field(default_factory=list)
    role: list[int] = field(default_factory=list)
    opened_day: list[int] = field(default_factory=list)
    filled_day: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    fte: list[float] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    hire_row: list[int] = field(default_factory=list)


@dataclass
class SimulationResult:
    """Everything the tables are built from. Shift, absence and pulse records are dicts of equal-length arrays."""

    roster: Roster
    shifts: dict[str, np.ndarray]
    absences: dict[str, np.ndarray]
    pulse: dict[str, np.ndarray]
    requisitions: Requisitions
    rn_supply: np.ndarray
    end_day: int
    first_day: int


class _Simulation:
    def __init__(
        self,
        rng: np.random.Generator,
        clock: Clock,
        flow: PatientFlow,
        timeline: UnitTimeline,
        end_day: int,
        progress: bool,
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.flow = flow
        self.timeline = timeline
        self.end_day = end_day
        self.first_day = clock.index_of_day(clock.first)
        self.progress = progress
        self.specs = list(config.UNITS)
        self.unit_ids = [s.unit_id for s in self.specs]
        self.n_units = len(self.specs)
        self.roster = Roster()
        self.reqs = Requisitions()
        self.diff = np.zeros((self.n_units, clock.n_hours + 1))
        self.climate = rng.normal(0.0, 0.15, self.n_units) - 0.25 * np.array([s.coverage < 0.9 for s in self.specs])
        self.rn_positions = np.zeros(self.n_units, dtype=np.int64)
        self.travel_cap = np.zeros(self.n_units, dtype=np.int64)
        self.travel_target = np.zeros(self.n_units, dtype=np.int64)
        self.gap_hours = np.zeros((self.n_units, 4))
        self.shift_parts: list[dict[str, np.ndarray]] = []
        self.absence_parts: list[dict[str, np.ndarray]] = []
        self.pulse_parts: list[dict[str, np.ndarray]] = []
        self.survey_days = self._survey_days()
        self._pending: list[dict[str, np.ndarray]] = []
        self._queued = 0

    def _queue(self, people: dict[str, np.ndarray]) -> np.ndarray:
        """Row numbers the people will have; they join the roster at the next :meth:`_flush` (one copy per week)."""
        first = len(self.roster) + self._queued
        self._pending.append(people)
        self._queued += len(people["role"])
        return np.arange(first, first + len(people["role"]))

    def _flush(self) -> None:
        if self._pending:
            self.roster.add({k: np.concatenate([p[k] for p in self._pending]) for k in self._pending[0]})
            self._pending, self._queued = [], 0

    # ----------------------------------------------------------------- set-up
    def _survey_days(self) -> set[int]:
        """Local day numbers of the 3rd of every month of the window (the day each month's survey opens)."""
        start = self.clock.first.to_period("M")
        end = (self.clock.day0 + np.timedelta64(self.end_day, "D")).to_period("M")
        months = [(start + i).to_timestamp() + np.timedelta64(2, "D") for i in range((end - start).n + 1)]
        return {self.clock.index_of_day(m) for m in months}

    def _open_day(self, unit: int) -> int:
        opened = self.timeline.opened_day[self.unit_ids[unit]]
        return self.first_day if opened is None else max(opened, self.first_day)

    def staff_hospital(self) -> None:
        """Initial workforce sized from the RN hours the ratios require in the unit's first 26 weeks (before
        any merger), times the unit's budget coverage; support roles in proportion to RNs."""
        rng = self.rng
        for u, spec in enumerate(self.specs):
            start = self._open_day(u)
            open_hours = self.flow.open_mask[u] & (self.clock.day >= start) & (self.clock.day < start + 182)
            need = self.flow.required_rns[u, open_hours].mean() if open_hours.any() else 0.0
            rn = max(1, round(need * 168 / config.RN_HOURS_PER_POSITION * spec.coverage))
            self.rn_positions[u] = rn
            cap_share = 0.08 if spec.coverage < 0.9 else 0.03
            self.travel_cap[u] = round(cap_share * rn)
            counts = {"RN": rn}
            counts.update({r: round(rn * k) for r, k in config.SUPPORT_PER_RN[spec.unit_type].items()})
            opening = self.timeline.opened_day[spec.unit_id] is not None
            for role, n in counts.items():
                if n <= 0:
                    continue
                if opening:
                    self._opening_hires(u, role, n)
                    continue
                vacant = rng.binomial(n, config.INITIAL_VACANCY * (1.6 if spec.coverage < 0.9 else 1.0))
                tenure = np.clip(rng.exponential(config.INITIAL_TENURE_YEARS_MEAN, n - vacant), 0.02, 40)
                hire = self.first_day - np.round(tenure * 365.25).astype(np.int64)
                self._queue(new_people(rng, n - vacant, role, u, spec.unit_type, hire, STAFF, tenure))
                for _ in range(vacant):
                    opened = self.first_day - int(rng.integers(1, 120))
                    self._open_requisition(u, ROLE[role], opened, float(rng.choice([0.9, 1.0, 0.6])), STAFF)
                share = config.HARD_TO_FILL_SHARE.get(role, 0.0) * (1.6 if spec.coverage < 0.9 else 1.0)
                for _ in range(rng.binomial(n, share) if share else 0):
                    opened = self.first_day - int(rng.integers(120, 720))
                    fte = float(rng.choice([0.9, 1.0, 0.6]))
                    self._record_requisition(u, ROLE[role], opened, NO_DAY, "open", fte, -1)
                if role == "RN":
                    n_pd = round(0.1 * n)
                    tenure = np.clip(rng.exponential(4.0, n_pd), 0.05, 30)
                    hire = self.first_day - np.round(tenure * 365.25).astype(np.int64)
                    self._queue(new_people(rng, n_pd, role, u, spec.unit_type, hire, PER_DIEM, tenure))
            manager_hired = self._open_day(u) - (60 if opening else int(rng.integers(1000, 6000)))
            manager = new_people(rng, 1, "RN", u, spec.unit_type, manager_hired, STAFF, 10.0)
            manager["pattern"][:] = D8
            manager["weekday_only"][:] = True
            manager["fte"][:] = 1.0
            manager["manager"][:] = True
            manager["propensity"][:] = 0.0
            self._queue(manager)
            self.travel_target[u] = min(
                self.travel_cap[u], round(config.TRAVEL_SHARE_OF_GAP * (1 - spec.coverage) * rn * 1.5)
            )
            if not opening and self.travel_target[u] > 0:
                n = int(self.travel_target[u])
                start = self.first_day - rng.integers(0, 7 * config.TRAVEL_CONTRACT_WEEKS, n)
                self._contract(u, n, start)

    def _opening_hires(self, unit: int, role: str, n: int) -> None:
        """Positions of a unit that opens: requisitions filled so that people start 1-4 weeks before opening."""
        opens = self.timeline.opened_day[self.unit_ids[unit]]
        for _ in range(n):
            start = opens - int(self.rng.integers(7, 28))
            ttf = self._time_to_fill(ROLE[role])
            filled = start - int(self.rng.integers(14, 35))
            row = self._queue(new_people(self.rng, 1, role, unit, self.specs[unit].unit_type, start))[0]
            self._record_requisition(unit, ROLE[role], filled - ttf, filled, "filled", 1.0, row)

    def _contract(self, unit: int, n: int, start: np.ndarray) -> None:
        """Travel (70 %) and agency (30 %) RNs on 13-week contracts starting on the given days."""
        weeks = config.TRAVEL_CONTRACT_WEEKS
        is_travel = self.rng.random(n) < 0.7
        for emp_type, mask in ((TRAVEL, is_travel), (AGENCY, ~is_travel)):
            chosen = start[mask]
            if len(chosen) == 0:
                continue
            people = new_people(
                self.rng,
                len(chosen),
                "RN",
                unit,
                self.specs[unit].unit_type,
                chosen,
                emp_type,
                term_day=chosen + 7 * weeks - 1,
            )
            people["term_reason"][:] = CONTRACT_END
            self._queue(people)

    def _time_to_fill(self, role: int) -> int:
        median = config.TIME_TO_FILL_MEDIAN_DAYS[ROLES[role]]
        return max(7, round(median * self.rng.lognormal(0.0, config.TIME_TO_FILL_SIGMA)))

    def _record_requisition(
        self, unit: int, role: int, opened: int, filled: int, status: str, fte: float, row: int, source: str = ""
    ) -> None:
        r = self.reqs
        r.unit.append(unit)
        r.role.append(role)
        r.opened_day.append(opened)
        r.filled_day.append(filled)
        r.status.append(status)
        r.fte.append(fte)
        r.source.append(source or str(self.rng.choice(config.HIRE_SOURCES, p=np.array(config.HIRE_SOURCE_WEIGHTS))))
        r.hire_row.append(row)

    def _open_requisition(self, unit: int, role: int, opened: int, fte: float, emp_type: int) -> None:
        """Open a requisition to replace a leaver; create the hire if it is filled and starts by the last day."""
        rng = self.rng
        draw = rng.random()
        closed = self.timeline.closed_day[self.unit_ids[unit]]
        if draw < config.REQUISITION_CANCEL_SHARE or (closed is not None and opened >= closed - 28):
            self._record_requisition(unit, role, opened, NO_DAY, "cancelled", fte, -1)
            return
        if draw < config.REQUISITION_CANCEL_SHARE + config.REQUISITION_HOLD_SHARE:
            self._record_requisition(unit, role, opened, NO_DAY, "on_hold", fte, -1)
            return
        filled = opened + self._time_to_fill(role)
        start = filled + int(rng.integers(14, 35))
        row = -1
        if start <= self.end_day:
            people = new_people(rng, 1, ROLES[role], unit, self.specs[unit].unit_type, start, emp_type)
            row = int(self._queue(people)[0])
        status = "filled" if filled <= self.end_day else "open"
        self._record_requisition(unit, role, opened, filled if status == "filled" else NO_DAY, status, fte, row)

    # ----------------------------------------------------------------- one week
    def _base_schedule(self, week: int, people: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Base shifts for ``people`` this week: (person, day, pattern) arrays and the (people, 7) day mask."""
        rng, R = self.rng, self.roster
        d0 = 7 * week
        length = PATTERN_LENGTH[R.pattern[people]]
        target = R.fte[people] * 40 / length
        k = np.floor(target) + (rng.random(len(people)) < target - np.floor(target))
        per_diem = R.emp_type[people] == PER_DIEM
        k = np.where(per_diem, rng.binomial(2, 0.4, len(people)), k)
        keys = rng.random((len(people), 7))
        days = d0 + np.arange(7)
        unavailable = (days[None, :] < R.hire_day[people, None]) | (days[None, :] > R.term_day[people, None])
        unavailable |= R.weekday_only[people, None] & np.isin(np.arange(7), (0, 6))[None, :]
        keys[unavailable] = np.inf
        rank = keys.argsort(axis=1).argsort(axis=1)
        chosen = (rank < k[:, None]) & np.isfinite(keys)
        who, dow = np.nonzero(chosen)
        person = people[who]
        pattern = R.pattern[person].copy()
        alt = R.alt_pattern[person]
        rotating = alt >= 0
        twelve = PATTERN_LENGTH[pattern] == 12
        block_alt = ((week + person) // 2) % 2 == 1
        daily_alt = rng.random(len(person)) < R.flip[person]
        pattern = np.where(rotating & np.where(twelve, block_alt, daily_alt), alt, pattern)
        return person, d0 + dow, pattern, chosen

    def _physical(self, day: np.ndarray, pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        start = PATTERN_START[pattern]
        return self.clock.hour_index(day, start), self.clock.hour_index(day, start + PATTERN_LENGTH[pattern])

    def _rn_gap(self, week: int) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Mean RN shortfall per (unit, day, block 0 = 07-19 / 1 = 19-07) and the shortfall by hour in the window."""
        d0 = 7 * week
        a = int(self.clock.hour_index(np.array([d0]), np.array([7]))[0])
        b = int(self.clock.hour_index(np.array([d0 + 6]), np.array([31]))[0])
        supply = np.cumsum(self.diff[:, :b], axis=1)[:, a:b]
        short = np.maximum(0.0, self.flow.required_rns[:, a:b] - supply)
        cs = np.concatenate([np.zeros((self.n_units, 1)), np.cumsum(short, axis=1)], axis=1)
        days = d0 + np.arange(7)
        edges = np.stack([self.clock.hour_index(days, np.full(7, h)) for h in (7, 19, 31)], axis=1)  # (7, 3)
        gap = np.zeros((self.n_units, 7, 2))
        for blk in range(2):
            s, e = edges[:, blk] - a, edges[:, blk + 1] - a
            gap[:, :, blk] = (cs[:, e] - cs[:, s]) / np.maximum(e - s, 1)
        return gap, short, a, b

    def _pickups(self, week, gap, busy, active, off, unit_short):
        """Extra shifts picked up by own staff (RNs to fill the gap, support staff a little, more on short units)."""
        rng, R = self.rng, self.roster
        d0 = 7 * week
        days = d0 + np.arange(7)
        own = active & ~R.manager & np.isin(R.emp_type, (STAFF, PER_DIEM)) & ~off
        people = np.flatnonzero(own)
        free = ~busy[people].copy()
        free &= (days[None, :] >= R.hire_day[people, None]) & (days[None, :] <= R.term_day[people, None])
        who, dow = np.nonzero(free)
        person = people[who]
        pattern = R.pattern[person]
        twelve = PATTERN_LENGTH[pattern] == 12
        rotating_12 = twelve & (R.alt_pattern[person] >= 0)
        block = np.where(rotating_12, rng.integers(0, 2, len(person)), np.isin(pattern, (N12, N8)).astype(np.int64))
        unit = R.unit[person]
        is_rn = R.role[person] == _RN
        weight = R.propensity[person]
        group = (unit * 7 + dow) * 2 + block
        n_groups = self.n_units * 14
        wsum = np.bincount(group[is_rn], weight[is_rn], minlength=n_groups)
        expected = config.GAP_FILL_SHARE * gap.reshape(-1)
        weeks_ahead = np.maximum(0, (days - self.end_day + 6) // 7)
        ahead_share = np.clip(1.0 - config.BOOKED_PICKUP_FALL_PER_WEEK * weeks_ahead, 0, 1)
        booked = np.where(days <= self.end_day, 1.0, ahead_share)
        p_rn = np.minimum(0.9, expected[group] * weight / np.maximum(wsum[group], 1e-9)) * booked[dow]
        p_support = np.minimum(0.5, 0.01 * weight * (1 + 6 * unit_short[unit])) * booked[dow]
        support = _SUPPORT_PICKUP_ROLES[R.role[person]]
        p = np.where(is_rn, p_rn, np.where(support, p_support, 0.0))
        take = rng.random(len(person)) < p
        person, dow, block, twelve, is_rn = person[take], dow[take], block[take], twelve[take], is_rn[take]
        eight_day = np.where(rng.random(len(person)) < 0.5, D8, E8)
        pattern = np.where(twelve, np.where(block == 0, D12, N12), np.where(block == 0, eight_day, N8))
        pattern = np.where(is_rn, pattern, R.pattern[person])
        order = np.lexsort((rng.random(len(person)), person))
        person, dow, pattern, is_rn = person[order], dow[order], pattern[order], is_rn[order]
        first = np.r_[True, person[1:] != person[:-1]]
        rank = np.arange(len(person)) - np.maximum.accumulate(np.where(first, np.arange(len(person)), 0))
        keep = rank < np.where(is_rn, 2, 1)
        return person[keep], d0 + dow[keep], pattern[keep]

    def _rests(self, person: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hours of rest before each shift (since the person's previous shift) and after it (to the next)."""
        order = np.lexsort((start, person))
        p, s, e = person[order], start[order].astype(float), end[order].astype(float)
        same_prev = np.r_[False, p[1:] == p[:-1]]
        prev_end = np.where(same_prev, np.r_[0.0, e[:-1]], self.roster.last_end[p])
        same_next = np.r_[p[1:] == p[:-1], False]
        after = np.where(same_next, np.r_[s[1:], 0.0] - e, np.inf)
        before = np.empty(len(p))
        following = np.empty(len(p))
        before[order] = s - prev_end
        following[order] = after
        return before, following

    def run(self) -> SimulationResult:
        self._flush()
        rng, R, clock = self.rng, self.roster, self.clock
        n_weeks = (self.end_day + 7 * SCHEDULE_WEEKS_AHEAD) // 7 + 1
        close_unit = self.unit_ids.index(config.CLOSING_UNIT)
        close_day = self.timeline.closed_day[config.CLOSING_UNIT]
        R.morale = R.morale_base + self.climate[R.unit]
        for week in tqdm(range(n_weeks), desc="Simulating weeks", disable=not self.progress, leave=False):
            self._flush()
            d0 = 7 * week
            days = d0 + np.arange(7)
            if close_day is not None and d0 <= close_day < d0 + 7:
                self._merge(close_unit, close_day)
            n = len(R)
            active = (R.hire_day <= d0 + 6) & (R.term_day >= d0)
            staffish = active & np.isin(R.emp_type, (STAFF, PER_DIEM))
            new_leave = staffish & (R.leave_until < d0) & (rng.random(n) < config.LEAVE_START_PER_WEEK)
            R.leave_until[new_leave] = d0 + 7 * rng.integers(*config.LEAVE_WEEKS, new_leave.sum())
            on_leave = R.leave_until >= d0
            month = clock.day0 + np.timedelta64(d0 + 3, "D")
            season = 1.5 if month.month in (6, 7, 8) or (month.month == 12 and month.day > 15) else 1.0
            pto = staffish & ~on_leave & (rng.random(n) < config.PTO_WEEK_PROBABILITY * season)
            off = on_leave | pto

            people = np.flatnonzero(active)
            person, day, pattern, chosen = self._base_schedule(week, people)
            busy = np.zeros((n, 7), dtype=bool)
            busy[people] = chosen
            start, end = self._physical(day, pattern)
            hours = (end - start).astype(float)
            worked_day = day <= self.end_day
            ot4 = R.ot_ring[:, [(week - i) % 12 for i in range(1, 5)]].sum(axis=1)
            contract = np.isin(R.emp_type[person], (TRAVEL, AGENCY))
            p_sick = np.minimum(0.3, config.SICK_SHIFT_PROBABILITY * np.exp(config.SICK_OVERTIME_EFFECT * ot4[person]))
            sick = worked_day & ~contract & ~off[person] & (rng.random(len(person)) < p_sick)
            kind = np.where(on_leave[person], "leave", np.where(pto[person], "PTO", np.where(sick, "sick", "")))
            absent = kind != ""
            record = absent & worked_day
            self.absence_parts.append(
                {"person": person[record], "day": day[record], "hours": hours[record], "type": kind[record]}
            )
            base_keep = ~absent

            rn_base = base_keep & (R.role[person] == _RN) & ~R.manager[person]
            self._add_supply(R.unit[person[rn_base]], start[rn_base], end[rn_base])
            gap, short, a, b = self._rn_gap(week)
            req_sum = self.flow.required_rns[:, a:b].sum(axis=1)
            unit_short = (1 - config.GAP_FILL_SHARE) * short.sum(axis=1) / np.maximum(req_sum, 1)
            self.gap_hours[:, week % 4] = short[:, : (b - a)].sum(axis=1) * (days[-1] <= self.end_day)
            p_person, p_day, p_pattern = self._pickups(week, gap, busy, active, off, unit_short)
            p_start, p_end = self._physical(p_day, p_pattern)

            all_person = np.r_[person[base_keep], p_person]
            all_day = np.r_[day[base_keep], p_day]
            all_pattern = np.r_[pattern[base_keep], p_pattern]
            all_start = np.r_[start[base_keep], p_start]
            all_end = np.r_[end[base_keep], p_end]
            pickup = np.r_[np.zeros(base_keep.sum(), dtype=bool), np.ones(len(p_person), dtype=bool)]
            before, after = self._rests(all_person, all_start, all_end)
            sel = ~((before < 8) | (pickup & (after < 8)))  # nobody is rostered with under 8 h of rest
            rest, _ = self._rests(all_person[sel], all_start[sel], all_end[sel])
            person_k, start_k, end_k = all_person[sel], all_start[sel], all_end[sel]
            rn_pick = sel & pickup & (R.role[all_person] == _RN) & ~R.manager[all_person]
            self._add_supply(R.unit[all_person[rn_pick]], all_start[rn_pick], all_end[rn_pick])
            self.shift_parts.append(
                {
                    "person": person_k,
                    "unit": R.unit[person_k],
                    "day": all_day[sel],
                    "pattern": all_pattern[sel],
                    "start": start_k,
                    "end": end_k,
                    "pickup": pickup[sel],
                }
            )
            week_hours = np.bincount(person_k, (end_k - start_k).astype(float), minlength=n)
            ot_week = np.where(_NON_EXEMPT[R.role], np.maximum(0.0, week_hours - config.OVERTIME_WEEKLY_HOURS), 0.0)
            quick = (rest < config.QUICK_RETURN_HOURS) & (rest > 0)
            qr_week = np.bincount(person_k[quick], minlength=n).astype(float)
            R.ot_ring[:, week % 12] = ot_week
            R.qr_ring[:, week % 12] = qr_week
            last = np.full(n, -1e9)
            np.maximum.at(last, person_k, end_k.astype(float))
            R.last_end = np.maximum(R.last_end, last)

            target = (
                R.morale_base
                + self.climate[R.unit]
                - 0.012 * R.ot_ring.sum(axis=1)
                - 0.06 * R.qr_ring.sum(axis=1)
                - 1.5 * unit_short[R.unit]
            )
            R.morale = 0.8 * R.morale + 0.2 * target + rng.normal(0, 0.08, n)

            survey = [s for s in self.survey_days if d0 <= s < d0 + 7 and s <= self.end_day]
            if survey:
                self._pulse(survey[0], staffish, week)
            if d0 + 6 <= self.end_day and d0 >= self.first_day - 6:
                self._exits(week, staffish)
                self._contracts(week)
        self._flush()
        return self._result()

    def _add_supply(self, unit: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
        np.add.at(self.diff, (unit, start), 1.0)
        np.add.at(self.diff, (unit, end), -1.0)

    def _merge(self, closing: int, close_day: int) -> None:
        """The closing unit's staff move to the units taking its patients; its unstarted hires are cancelled."""
        R = self.roster
        moving = (R.unit == closing) & (R.term_day >= close_day) & (R.hire_day <= close_day)
        targets = [self.unit_ids.index(u) for u in config.MERGER_SPLIT]
        shares = np.array(list(config.MERGER_SPLIT.values()))
        R.unit[moving] = np.asarray(targets)[self.rng.choice(len(targets), moving.sum(), p=shares / shares.sum())]
        R.unit[moving & R.manager] = self.unit_ids.index(config.MERGED_INTO)
        future = (R.unit == closing) & (R.hire_day > close_day)
        R.hire_day[future] = NO_DAY
        rows = set(np.flatnonzero(future).tolist())
        for i, row in enumerate(self.reqs.hire_row):
            if row in rows or (self.reqs.unit[i] == closing and self.reqs.status[i] in ("open", "on_hold")):
                self.reqs.status[i] = "cancelled"
                self.reqs.filled_day[i] = NO_DAY
                self.reqs.hire_row[i] = -1

    def _exits(self, week: int, staffish: np.ndarray) -> None:
        """Voluntary and involuntary exits this week; each leaver opens a replacement requisition."""
        rng, R = self.rng, self.roster
        d0 = 7 * week
        eligible = staffish & ~R.manager & (R.hire_day <= d0) & (R.term_day == NO_DAY)
        idx = np.flatnonzero(eligible)
        if len(idx) == 0:
            return
        first_year = (d0 - R.hire_day[idx]) < 365
        lp = (
            config.EXIT_WEIGHT_OVERTIME * R.ot_ring[idx].sum(axis=1)
            + config.EXIT_WEIGHT_QUICK_RETURN * R.qr_ring[idx].sum(axis=1)
            - config.EXIT_WEIGHT_MORALE * R.morale[idx]
            + config.EXIT_WEIGHT_FIRST_YEAR * first_year
        )
        rel = np.exp(lp - lp.max())
        role = R.role[idx]
        mean_rel = np.bincount(role, rel, minlength=len(ROLES)) / np.maximum(np.bincount(role, minlength=len(ROLES)), 1)
        base = np.array([config.VOLUNTARY_RATE[r] for r in ROLES]) / 52
        h_vol = np.minimum(0.5, base[role] * rel / mean_rel[role])
        h_inv = config.INVOLUNTARY_RATE / 52 * np.where(first_year, 1.8, 1.0)
        u = rng.random(len(idx))
        vol = u < h_vol
        inv = ~vol & (u < h_vol + h_inv)
        leavers = idx[vol | inv]
        R.term_day[leavers] = d0 + 6
        R.term_reason[idx[vol]] = VOLUNTARY
        R.term_reason[idx[inv]] = INVOLUNTARY
        for row in leavers:
            opened = d0 + 6 - int(rng.integers(0, 21))
            self._open_requisition(int(R.unit[row]), int(R.role[row]), opened, float(R.fte[row]), int(R.emp_type[row]))

    def _contracts(self, week: int) -> None:
        """Renew ending travel/agency contracts and sign new ones where the RN gap persists (capped per unit)."""
        R, rng = self.roster, self.rng
        d0 = 7 * week
        if week % 4 == 0:
            gap_positions = self.gap_hours.mean(axis=1) / 36.0
            active_contract = self._active_contracts(d0)
            self.travel_target = np.minimum(
                self.travel_cap, np.round(active_contract + config.TRAVEL_SHARE_OF_GAP * gap_positions).astype(int)
            )
        contract = np.isin(R.emp_type, (TRAVEL, AGENCY)) & (R.hire_day <= d0)
        ending = contract & (R.term_day >= d0) & (R.term_day < d0 + 7) & (R.term_reason == CONTRACT_END)
        staying = self._active_contracts(d0 + 7)
        for row in np.flatnonzero(ending):
            u = R.unit[row]
            if staying[u] < self.travel_target[u] and rng.random() < 0.7:
                R.term_day[row] += 7 * config.TRAVEL_CONTRACT_WEEKS
                staying[u] += 1
        for u in range(self.n_units):
            closed = self.timeline.closed_day[self.unit_ids[u]]
            if closed is not None and d0 + 7 >= closed - 7 * config.TRAVEL_CONTRACT_WEEKS:
                continue
            if (
                self.timeline.opened_day[self.unit_ids[u]] is not None
                and d0 < self.timeline.opened_day[self.unit_ids[u]]
            ):
                continue
            missing = int(self.travel_target[u] - staying[u])
            if missing > 0:
                self._contract(u, missing, np.full(missing, d0 + 7))

    def _active_contracts(self, day: int) -> np.ndarray:
        R = self.roster
        on = np.isin(R.emp_type, (TRAVEL, AGENCY)) & (R.hire_day <= day) & (R.term_day >= day)
        return np.bincount(R.unit[on], minlength=self.n_units)

    def _pulse(self, survey_day: int, staffish: np.ndarray, week: int) -> None:
        """Monthly pulse: ~55 % of staff answer workload/support/burnout/engagement (1-5) and eNPS (0-10)."""
        rng, R = self.rng, self.roster
        respond = staffish & (R.hire_day <= survey_day) & (rng.random(len(R)) < R.response)
        who = np.flatnonzero(respond)
        day = np.minimum(survey_day + rng.integers(0, 5, len(who)), min(7 * week + 6, self.end_day))
        m = R.morale[who]
        ot4 = R.ot_ring[who][:, [(week - i) % 12 for i in range(4)]].sum(axis=1)
        qr4 = R.qr_ring[who][:, [(week - i) % 12 for i in range(4)]].sum(axis=1)
        climate = self.climate[R.unit[who]]
        means = {
            "workload": 3.2 + 0.6 * m - 0.03 * ot4,
            "support": 3.6 + 0.7 * m + climate,
            "burnout": 3.1 + 0.8 * m - 0.1 * qr4,
            "engagement": 3.5 + 0.9 * m,
        }
        enps = np.clip(np.round(config.ENPS_INTERCEPT + 2.0 * m + rng.normal(0, 1.3, len(who))), 0, 10)
        for dim in PULSE_DIMENSIONS:
            score = np.clip(np.round(means[dim] + rng.normal(0, 0.6, len(who))), 1, 5)
            self.pulse_parts.append(
                {
                    "person": who,
                    "unit": R.unit[who],
                    "day": day,
                    "dimension": np.full(len(who), dim),
                    "score": score,
                    "enps": enps if dim == "engagement" else np.full(len(who), np.nan),
                }
            )

    def _result(self) -> SimulationResult:
        def stack(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
            return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

        return SimulationResult(
            roster=self.roster,
            shifts=stack(self.shift_parts),
            absences=stack(self.absence_parts),
            pulse=stack(self.pulse_parts),
            requisitions=self.reqs,
            rn_supply=np.cumsum(self.diff, axis=1)[:, :-1],
            end_day=self.end_day,
            first_day=self.first_day,
        )


def simulate_workforce(
    rng: np.random.Generator,
    clock: Clock,
    flow: PatientFlow,
    timeline: UnitTimeline,
    progress: bool = False,
) -> SimulationResult:
    """Staff the hospital and run the weekly simulation up to four weeks after the clock's last day."""
    end_day = clock.index_of_day(clock.last)
    sim = _Simulation(rng, clock, flow, timeline, end_day, progress)
    sim.staff_hospital()
    return sim.run()
