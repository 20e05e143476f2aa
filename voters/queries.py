"""Reads of voter-list snapshots shared by the pages, the API and the reports app.

The seed report's Table 1 (voters per TEC, preliminary and control list and the change
between them) and Table 2 (the control list by gender and age) are computed here from the
stored snapshots; a change between stages is never stored.

Both tables have one row per TEC of the election, ordered by district, whether or not a
snapshot was entered for it (the values are then ``None``), so a missing snapshot shows
as a gap instead of silently shrinking a total. A total is ``None`` unless every row has
the value: a report must never print a sum over part of the commissions as if it were
the whole.

Each function issues two queries however many commissions and snapshots there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from commissions.models import Commission
from observation.models import Election
from voters.models import AGE_FIELDS, VoterListSnapshot

STAGES: tuple[str, ...] = VoterListSnapshot.STAGE_ORDER
ONE_DECIMAL = Decimal("0.1")


def share(part: int | None, whole: int | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``, to one decimal, rounded half up as a person
    would (179 270 of 425 107 is 42.2 %)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def sum_if_complete(values: list[int | None]) -> int | None:
    """A column total, only when every commission has the figure: a partial sum would
    read as the whole city's number (the registration page and the report share this)."""
    if not values or any(v is None for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def _difference(later: int | None, earlier: int | None) -> int | None:
    if later is None or earlier is None:
        return None
    return later - earlier


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def snapshots_up_to(as_of: dt.date | None = None) -> Prefetch:
    """A commission's snapshots published on or before ``as_of`` (all when ``None``),
    oldest first, for ``prefetch_related``."""
    rows = VoterListSnapshot.objects.order_by("as_of")
    if as_of is not None:
        rows = rows.filter(as_of__lte=as_of)
    return Prefetch("voter_snapshots", queryset=rows)


def tec_commissions(election: Election, as_of: dt.date | None = None) -> QuerySet[Commission]:
    """The TECs of ``election`` with their snapshots (up to ``as_of``), in the order the
    tables show them."""
    return (
        Commission.objects.filter(election=election, level=Commission.Level.TEC)
        .select_related("district")
        .prefetch_related(snapshots_up_to(as_of))
        .order_by("district__name", "name")
    )


# --- Table 1 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationRow:
    """One line of Table 1: the size of a TEC's voter list at each stage.

    ``change`` is control − preliminary (the seed's "in comparison" column: +260, +80,
    −30); ``final_change`` is final − control. Values are ``None`` where a stage has no
    snapshot. ``commission_id`` is ``None`` on the totals line."""

    commission_id: int | None
    commission: str
    district: str
    pec_count: int | None
    preliminary: int | None
    control: int | None
    final: int | None
    change: int | None
    final_change: int | None
    preliminary_as_of: dt.date | None = None
    control_as_of: dt.date | None = None
    final_as_of: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: _plain(value) for key, value in asdict(self).items()}


@dataclass(frozen=True)
class RegistrationTable:
    election_id: int
    rows: list[RegistrationRow]
    totals: RegistrationRow
    # The date of each stage when all TECs share it (as in the seed), else None.
    as_of: dict[str, dt.date | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [row.as_dict() for row in self.rows],
            "totals": self.totals.as_dict(),
            "as_of": {stage: _plain(day) for stage, day in self.as_of.items()},
        }


def registration_table(election: Election) -> RegistrationTable:
    """Table 1 of the seed: voters per TEC on the preliminary, control and final lists."""
    return _registration_table(election, list(tec_commissions(election)))


def _registration_table(election: Election, commissions: list[Commission]) -> RegistrationTable:
    rows: list[RegistrationRow] = []
    for commission in commissions:
        by_stage = {s.stage: s for s in commission.voter_snapshots.all()}
        total = {stage: getattr(by_stage.get(stage), "total", None) for stage in STAGES}
        as_of = {stage: getattr(by_stage.get(stage), "as_of", None) for stage in STAGES}
        rows.append(
            RegistrationRow(
                commission_id=commission.pk,
                commission=commission.name,
                district=commission.district.name if commission.district else "",
                pec_count=commission.pec_count,
                preliminary=total["preliminary"],
                control=total["control"],
                final=total["final"],
                change=_difference(total["control"], total["preliminary"]),
                final_change=_difference(total["final"], total["control"]),
                preliminary_as_of=as_of["preliminary"],
                control_as_of=as_of["control"],
                final_as_of=as_of["final"],
            )
        )
    totals = {
        name: sum_if_complete([getattr(row, name) for row in rows])
        for name in ("pec_count", "preliminary", "control", "final")
    }
    common_dates = {
        stage: _common([getattr(row, f"{stage}_as_of") for row in rows]) for stage in STAGES
    }
    return RegistrationTable(
        election_id=election.pk,
        rows=rows,
        totals=RegistrationRow(
            commission_id=None,
            commission="",
            district="",
            pec_count=totals["pec_count"],
            preliminary=totals["preliminary"],
            control=totals["control"],
            final=totals["final"],
            change=_difference(totals["control"], totals["preliminary"]),
            final_change=_difference(totals["final"], totals["control"]),
            **{f"{stage}_as_of": common_dates[stage] for stage in STAGES},
        ),
        as_of=common_dates,
    )


def _common(values: list[Any]) -> Any:
    distinct = set(values)
    return values[0] if len(distinct) == 1 else None


# --- Table 2 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GenderAgeRow:
    """One line of Table 2: a TEC's list at one stage by gender and age bracket.

    ``male_percent`` and ``female_percent`` are shares of ``total`` to one decimal
    (Bishkek: 42.2 and 57.8). ``ages`` maps each bracket field (``age_18_29`` …
    ``age_70_plus``) to its count; ``age_percents`` to its share."""

    commission_id: int | None
    commission: str
    district: str
    as_of: dt.date | None
    total: int | None
    male: int | None
    female: int | None
    male_percent: Decimal | None
    female_percent: Decimal | None
    ages: dict[str, int | None]
    age_percents: dict[str, Decimal | None]

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-able: the brackets are top-level keys as in the API's snapshot."""
        return {
            "commission_id": self.commission_id,
            "commission": self.commission,
            "district": self.district,
            "as_of": _plain(self.as_of),
            "total": self.total,
            "male": self.male,
            "female": self.female,
            "male_percent": _plain(self.male_percent),
            "female_percent": _plain(self.female_percent),
            **self.ages,
            "age_percents": {name: _plain(value) for name, value in self.age_percents.items()},
        }


@dataclass(frozen=True)
class GenderAgeTable:
    election_id: int
    stage: str
    rows: list[GenderAgeRow]
    totals: GenderAgeRow

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "rows": [row.as_dict() for row in self.rows],
            "totals": self.totals.as_dict(),
        }


def _gender_age_row(
    *,
    commission_id: int | None,
    commission: str,
    district: str,
    as_of: dt.date | None,
    total: int | None,
    male: int | None,
    female: int | None,
    ages: dict[str, int | None],
) -> GenderAgeRow:
    return GenderAgeRow(
        commission_id=commission_id,
        commission=commission,
        district=district,
        as_of=as_of,
        total=total,
        male=male,
        female=female,
        male_percent=share(male, total),
        female_percent=share(female, total),
        ages=ages,
        age_percents={name: share(count, total) for name, count in ages.items()},
    )


def gender_age_table(election: Election, stage: str = "control") -> GenderAgeTable:
    """Table 2 of the seed: the voters of each TEC at ``stage`` by gender and age."""
    if stage not in STAGES:
        raise ValueError(f"Unknown stage {stage!r}; expected one of {STAGES}.")
    return _gender_age_table(election, stage, list(tec_commissions(election)))


def _gender_age_table(
    election: Election, stage: str, commissions: list[Commission]
) -> GenderAgeTable:
    rows: list[GenderAgeRow] = []
    for commission in commissions:
        snapshot = next((s for s in commission.voter_snapshots.all() if s.stage == stage), None)
        rows.append(
            _gender_age_row(
                commission_id=commission.pk,
                commission=commission.name,
                district=commission.district.name if commission.district else "",
                as_of=getattr(snapshot, "as_of", None),
                total=getattr(snapshot, "total", None),
                male=getattr(snapshot, "male", None),
                female=getattr(snapshot, "female", None),
                ages={name: getattr(snapshot, name, None) for name in AGE_FIELDS},
            )
        )
    totals = _gender_age_row(
        commission_id=None,
        commission="",
        district="",
        as_of=_common([row.as_of for row in rows]) if rows else None,
        total=sum_if_complete([row.total for row in rows]),
        male=sum_if_complete([row.male for row in rows]),
        female=sum_if_complete([row.female for row in rows]),
        ages={name: sum_if_complete([row.ages[name] for row in rows]) for name in AGE_FIELDS},
    )
    return GenderAgeTable(election_id=election.pk, stage=stage, rows=rows, totals=totals)


# --- Both, as the report's data ---------------------------------------------------------


def voter_registration_data(
    election: Election,
    *,
    as_of: dt.date | None = None,
    tecs: list[Commission] | None = None,
) -> dict[str, Any]:
    """Tables 1 and 2 merged per TEC, in the shape of ``voter_registration`` in the report
    data (docs/reports.md)::

        {"rows": [{"commission": "Bishkek TEC", "pec_count": 228, "preliminary": 424847,
                   "control": 425107, "change": 260, "split_stage": "control",
                   "split_total": 425107, "male": 179270, "female": 245837,
                   "male_percent": 42.2, "female_percent": 57.8,
                   "age_18_29": 100817, "age_18_29_percent": 23.7, ...}],
         "totals": {...},
         "as_of": {"preliminary": ["2021-06-09"], "control": ["2021-06-20"]}}

    Only snapshots published on or before ``as_of`` count (a report's cut-off: a list
    published after its period is left out). Gender and age come from the latest stage
    that has them (the control list in the seed). Totals follow ``sum_if_complete``.

    ``tecs``, the election's TECs in table order, saves the commissions query when the
    caller has them already: then one query, else two."""
    if tecs is None:
        tecs = list(tec_commissions(election, as_of))
    else:
        prefetch_related_objects(tecs, snapshots_up_to(as_of))
    rows = [_registration_row(tec) for tec in tecs]

    def column_sum(key: str) -> int | None:
        return sum_if_complete([row[key] for row in rows])

    summed = ["pec_count", *STAGES, "change", "final_change", "split_total", "male", "female"]
    totals: dict[str, Any] = {key: column_sum(key) for key in [*summed, *AGE_FIELDS]}
    for name in ("male", "female", *AGE_FIELDS):
        totals[f"{name}_percent"] = _percent(totals[name], totals["split_total"])
    dates: dict[str, set[str]] = {}
    for tec in tecs:
        for snapshot in tec.voter_snapshots.all():
            dates.setdefault(snapshot.stage, set()).add(snapshot.as_of.isoformat())
    return {
        "rows": rows,
        "totals": totals,
        "as_of": {stage: sorted(days) for stage, days in dates.items()},
    }


def _registration_row(tec: Commission) -> dict[str, Any]:
    by_stage = {s.stage: s for s in tec.voter_snapshots.all()}
    row: dict[str, Any] = {
        "commission": tec.name,
        "district": tec.district.name if tec.district else None,
        "pec_count": tec.pec_count,
    }
    for stage in STAGES:
        row[stage] = by_stage[stage].total if stage in by_stage else None
    row["change"] = _difference(row["control"], row["preliminary"])
    row["final_change"] = _difference(row["final"], row["control"])
    split = next(
        (by_stage[s] for s in reversed(STAGES) if s in by_stage and by_stage[s].male is not None),
        None,
    )
    row["split_stage"] = split.stage if split else None
    row["split_total"] = split.total if split else None
    row["male"] = split.male if split else None
    row["female"] = split.female if split else None
    row["male_percent"] = _percent(row["male"], row["split_total"])
    row["female_percent"] = _percent(row["female"], row["split_total"])
    for name in AGE_FIELDS:
        row[name] = getattr(split, name) if split else None
        row[f"{name}_percent"] = _percent(row[name], row["split_total"])
    return row


def _percent(part: int | None, whole: int | None) -> float | None:
    return _plain(share(part, whole))


# --- Lists ------------------------------------------------------------------------------


def snapshots() -> QuerySet[VoterListSnapshot]:
    """Every snapshot with what its display needs, for the API and the snapshot list."""
    return VoterListSnapshot.objects.select_related(
        "commission", "commission__district", "commission__election"
    ).order_by("commission__election", "commission__name", "as_of", "pk")


def snapshots_of(election: Election) -> QuerySet[VoterListSnapshot]:
    return snapshots().filter(commission__election=election)


def elections_for_choice() -> QuerySet[Election]:
    return Election.objects.order_by("-election_day", "name")


def snapshot_commissions(election: Election) -> QuerySet[Commission]:
    """The commissions a snapshot of ``election`` may belong to: its TECs and PECs."""
    return (
        Commission.objects.filter(election=election)
        .exclude(level=Commission.Level.CEC)
        .select_related("district")
        .order_by("level", "name")
    )
