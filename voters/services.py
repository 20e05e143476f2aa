"""Every write to voter-list snapshots: one snapshot at a time, and imports of many.

Pages, the API and the admin call these functions; the rules themselves live in
``VoterListSnapshot`` (``clean`` and the database constraints) and are applied here with
``full_clean`` before anything is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commissions.models import Commission
from observation.kernel.access import Actor
from observation.kernel.audit import audit_log, model_changes
from observation.kernel.tabular import (
    ImportReport,
    PlannedRow,
    RowCells,
    RowOutcome,
    Table,
    normalized,
    run_import,
)
from observation.models import Election
from voters.models import AGE_FIELDS, VoterListSnapshot

IMPORT_KIND = "voter_snapshots"
# The columns of an import file, in the order the template file lists them.
IMPORT_COLUMNS: tuple[str, ...] = (
    "commission",
    "stage",
    "as_of",
    "total",
    "male",
    "female",
    *AGE_FIELDS,
)
BREAKDOWN_FIELDS: tuple[str, ...] = ("male", "female", *AGE_FIELDS)
# What a form or the API gives ``voter_snapshot_save``.
SNAPSHOT_FIELDS: tuple[str, ...] = IMPORT_COLUMNS
VALUE_FIELDS: tuple[str, ...] = ("as_of", "total", *BREAKDOWN_FIELDS)
STAGE_CODES = {code: code for code in VoterListSnapshot.STAGE_ORDER}


def _stage_taken(commission: Commission, stage: str) -> ValidationError:
    return ValidationError(
        {
            "stage": ValidationError(
                _("%(commission)s already has a snapshot of the %(stage)s."),
                code="stage_taken",
                params={
                    "commission": commission.name,
                    "stage": VoterListSnapshot.Stage(stage).label.lower(),
                },
            )
        }
    )


def voter_snapshot_save(
    *,
    actor: Actor,
    snapshot: VoterListSnapshot | None = None,
    commission: Commission,
    stage: str,
    as_of: dt.date,
    total: int,
    male: int | None = None,
    female: int | None = None,
    age_18_29: int | None = None,
    age_30_39: int | None = None,
    age_40_49: int | None = None,
    age_50_59: int | None = None,
    age_60_69: int | None = None,
    age_70_plus: int | None = None,
) -> VoterListSnapshot:
    """Create a snapshot, or change ``snapshot``, with these values.

    Raises ``ValidationError`` naming the field: breakdowns that do not add up to the
    total (or are given in part), a CEC as the commission, a second snapshot of the same
    stage for a commission. Saving unchanged values writes nothing, not even an audit
    entry."""
    values: dict[str, Any] = {
        "commission_id": commission.pk if commission is not None else None,
        "stage": stage,
        "as_of": as_of,
        "total": total,
        "male": male,
        "female": female,
        "age_18_29": age_18_29,
        "age_30_39": age_30_39,
        "age_40_49": age_40_49,
        "age_50_59": age_50_59,
        "age_60_69": age_60_69,
        "age_70_plus": age_70_plus,
    }
    with transaction.atomic():
        if snapshot is None or snapshot.pk is None:
            instance = VoterListSnapshot()
            changes = {name: [None, value] for name, value in values.items()}
            action = "voter_snapshot.create"
        else:
            instance = VoterListSnapshot.objects.select_for_update().get(pk=snapshot.pk)
            changes = model_changes(instance, values)
            if not changes:
                return instance
            action = "voter_snapshot.update"
        for name, value in values.items():
            setattr(instance, name, value)
        instance.commission = commission
        if (
            commission is not None
            and VoterListSnapshot.objects.filter(commission=commission, stage=stage)
            .exclude(pk=instance.pk)
            .exists()
        ):
            raise _stage_taken(commission, stage)
        instance.full_clean()
        try:
            # A savepoint, so a concurrent save of the same stage becomes a field error
            # rather than a broken transaction.
            with transaction.atomic():
                instance.save()
        except IntegrityError:
            raise _stage_taken(commission, stage) from None
        audit_log(actor=actor, action=action, target=instance, data={"changes": changes})
    return instance


def voter_snapshot_delete(*, actor: Actor, snapshot: VoterListSnapshot) -> None:
    with transaction.atomic():
        instance = VoterListSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        audit_log(
            actor=actor,
            action="voter_snapshot.delete",
            target=instance,
            data={
                "commission_id": instance.commission_id,
                "stage": instance.stage,
                **{name: getattr(instance, name) for name in VALUE_FIELDS},
            },
        )
        instance.delete()


def voter_snapshot_import(
    *, actor: Actor, file: IO[bytes] | Any, election: Election, commit: bool
) -> ImportReport:
    """Import voter-list snapshots of ``election`` from a CSV or XLSX file.

    One row per commission and stage; see ``IMPORT_COLUMNS`` and the README for the
    format. A row creates the snapshot, updates it (the file's values replace the stored
    ones, an empty breakdown cell included) or leaves it unchanged. With
    ``commit=False`` nothing is written and the report is the preview. With
    ``commit=True`` every row is applied in one transaction, or, if any row has an error,
    none is. Re-importing a file changes nothing and writes no audit entry.

    Raises ``ValidationError({"file": ...})`` for a file that cannot be read; row
    problems are in ``report.errors``."""
    return run_import(
        actor=actor,
        file=file,
        kind=IMPORT_KIND,
        columns=IMPORT_COLUMNS,
        scope=election,
        plan=lambda table, report, lock: _plan_snapshot_rows(table, election, report, lock=lock),
        model=VoterListSnapshot,
        update_fields=VALUE_FIELDS,
        exclude={"commission"},
        row_action="voter_snapshot",
        file_action="voter_snapshot.import",
        commit=commit,
    )


def _plan_snapshot_rows(
    table: Table, election: Election, report: ImportReport, *, lock: bool
) -> list[PlannedRow]:
    commissions = {normalized(c.name): c for c in Commission.objects.filter(election=election)}
    existing_rows = VoterListSnapshot.objects.filter(commission__election=election)
    if lock:
        existing_rows = existing_rows.select_for_update(of=("self",))
    existing = {(s.commission_id, s.stage): s for s in existing_rows}
    seen: dict[tuple[int, str], int] = {}
    plan: list[PlannedRow] = []
    for row in table.rows:
        if row.number in report.bad_rows:
            continue
        cells = RowCells(row, report)
        name = cells.text("commission", max_length=200)
        stage = cells.choice("stage", STAGE_CODES)
        values: dict[str, Any] = {
            "as_of": cells.date("as_of"),
            "total": cells.integer("total"),
            **{field: cells.integer(field, required=False) for field in BREAKDOWN_FIELDS},
        }
        commission = commissions.get(normalized(name)) if name else None
        if name and commission is None:
            cells.error(
                "commission",
                _("There is no commission named “%(name)s” in this election.") % {"name": name},
            )
        if cells.failed or commission is None or stage is None:
            continue
        key = (commission.pk, stage)
        if key in seen:
            cells.error(
                "stage",
                _("Row %(row)s already gives this commission's snapshot of this stage.")
                % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        label = f"{commission.name} — {VoterListSnapshot.Stage(stage).label}"
        instance = existing.get(key)
        if instance is None:
            instance = VoterListSnapshot(commission=commission, stage=stage, **values)
            outcome = RowOutcome(
                row.number,
                "create",
                label,
                {k: [None, v] for k, v in values.items() if v is not None},
            )
        else:
            changes = model_changes(instance, values)
            if not changes:
                report.rows.append(RowOutcome(row.number, "unchanged", label))
                continue
            for field, value in values.items():
                setattr(instance, field, value)
            outcome = RowOutcome(row.number, "update", label, changes)
        try:
            # The commission was matched above and (commission, stage) is checked against
            # the file and the database, so neither needs a query per row; the constraints
            # are judged for the whole file at once (see judge_and_write).
            instance.full_clean(
                exclude=["commission"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            cells.model_errors(exc, IMPORT_COLUMNS)
            continue
        report.rows.append(outcome)
        plan.append(PlannedRow(cells, instance, outcome))
    return plan
