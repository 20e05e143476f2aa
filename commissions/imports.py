"""Import of PEC lists from CSV or XLSX (docs/reference-data.md "PEC lists").

A row names the TEC (its district's code, or its name) and the PEC's name, with an
optional note. PECs are matched by name within the election (names are unique there): a
row creates the PEC under its TEC, updates its note, or leaves it unchanged. A PEC that
exists under another TEC is an error of that row (moving a PEC is done on its page).
PECs missing from the file are left as they are; the import never deletes. The file is
read, previewed and committed by the shared engine (``observation.kernel.tabular``): all
rows or none, and importing the same file again changes nothing."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from commissions.models import Commission
from observation.kernel.access import Actor
from observation.kernel.audit import model_changes
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

IMPORT_KIND = "pecs"
IMPORT_COLUMNS: tuple[str, ...] = ("tec", "name", "note")


def pec_import(
    *, actor: Actor, file: IO[bytes] | Any, election: Election, commit: bool
) -> ImportReport:
    """Import the PECs of ``election`` from a CSV or XLSX file. ``commit=False``
    previews; ``commit=True`` writes every row in one transaction, or none if any row has
    an error. Raises ``ValidationError({"file": ...})`` for a file that cannot be read."""
    return run_import(
        actor=actor,
        file=file,
        kind=IMPORT_KIND,
        columns=IMPORT_COLUMNS,
        scope=election,
        plan=lambda table, report, lock: _plan(table, election, report, lock=lock),
        model=Commission,
        update_fields=["note"],
        exclude={"election", "parent", "district"},
        row_action="commission",
        file_action="commission.pec_import",
        commit=commit,
    )


def _plan(
    table: Table, election: Election, report: ImportReport, *, lock: bool
) -> list[PlannedRow]:
    tecs = list(
        Commission.objects.filter(election=election, level=Commission.Level.TEC).select_related(
            "district"
        )
    )
    by_code = {t.district.code.upper(): t for t in tecs if t.district_id}
    by_name = {normalized(t.name): t for t in tecs}
    existing_rows = Commission.objects.filter(election=election)
    if lock:
        existing_rows = existing_rows.select_for_update()
    existing = {normalized(c.name): c for c in existing_rows}
    seen: dict[str, int] = {}
    plan: list[PlannedRow] = []
    for row in table.rows:
        if row.number in report.bad_rows:
            continue
        cells = RowCells(row, report)
        tec_text = cells.text("tec")
        name = cells.text("name", max_length=200)
        note = cells.text("note", required=False, max_length=2000)
        tec = by_code.get(tec_text.upper()) or by_name.get(normalized(tec_text))
        if tec_text and tec is None:
            cells.error(
                "tec",
                _("There is no TEC with the district code or name “%(name)s” in this election.")
                % {"name": tec_text},
            )
        if cells.failed or tec is None:
            continue
        key = normalized(name)
        if key in seen:
            cells.error("name", _("Row %(row)s already names this PEC.") % {"row": seen[key]})
            continue
        seen[key] = row.number
        label = f"{tec.name} — {name}"
        pec = existing.get(key)
        if pec is None:
            pec = Commission(
                election=election,
                level=Commission.Level.PEC,
                parent=tec,
                district=tec.district,
                name=name,
                note=note,
            )
            outcome = RowOutcome(row.number, "create", label, {"name": [None, name]})
        elif pec.level != Commission.Level.PEC or pec.parent_id != tec.pk:
            cells.error(
                "name",
                _(
                    "“%(name)s” already exists in this election as %(what)s; "
                    "it is not a PEC of %(tec)s."
                )
                % {"name": pec.name, "what": pec.get_level_display(), "tec": tec.name},
            )
            continue
        else:
            changes = model_changes(pec, {"note": note})
            if not changes:
                report.rows.append(RowOutcome(row.number, "unchanged", label))
                continue
            pec.note = note
            outcome = RowOutcome(row.number, "update", label, changes)
        try:
            pec.full_clean(
                exclude=["election", "parent", "district"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            cells.model_errors(exc, IMPORT_COLUMNS)
            continue
        report.rows.append(outcome)
        plan.append(PlannedRow(cells, pec, outcome))
    return plan
