"""Import of candidate lists from CSV or XLSX (the format is in the README).

A row names the district (code or name), the party, the position on the party's list in
that district, and the candidate. Candidates are matched on (party list, position): a
row creates the candidate at that position, updates them, or leaves them unchanged.
Candidates not in the file are left as they are; the import never deletes. A party
without a list in the row's district is an error of that row: lists are reference data
and are created on their own page, not by accident from a typo in a file.
``PartyList.nominated_count`` is entered data and is not touched; the report shows it
next to the counts of the file so the analyst can compare.
"""

from __future__ import annotations

from collections import Counter
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
from observation.models import Candidate, District, Election, Party, PartyList

IMPORT_KIND = "candidates"
IMPORT_COLUMNS: tuple[str, ...] = (
    "district",
    "party",
    "position",
    "full_name",
    "gender",
    "status",
    "denial_reason",
)
CONTENT_FIELDS: tuple[str, ...] = ("full_name", "gender", "status", "denial_reason")
GENDER_CODES = {"m": "M", "f": "F"}
STATUS_CODES = {code.lower(): code for code in Candidate.Status.values}


def candidate_import(
    *, actor: Actor, file: IO[bytes] | Any, election: Election, commit: bool
) -> ImportReport:
    """Import candidates of ``election`` from a CSV or XLSX file.

    ``commit=False`` previews (nothing is written); ``commit=True`` applies every row in
    one transaction, or none if any row has an error. Re-importing a file changes nothing
    and writes no audit entry. Raises ``ValidationError({"file": ...})`` for a file that
    cannot be read; row problems are in ``report.errors``."""
    return run_import(
        actor=actor,
        file=file,
        kind=IMPORT_KIND,
        columns=IMPORT_COLUMNS,
        scope=election,
        plan=lambda table, report, lock: _plan_candidate_rows(table, election, report, lock=lock),
        model=Candidate,
        update_fields=[*CONTENT_FIELDS, "is_demo"],
        exclude={"party_list"},
        row_action="candidate",
        file_action="candidate.import",
        commit=commit,
    )


def _plan_candidate_rows(
    table: Table, election: Election, report: ImportReport, *, lock: bool
) -> list[PlannedRow]:
    districts = list(District.objects.filter(election=election))
    by_code = {d.code.upper(): d for d in districts}
    by_name = {normalized(d.name): d for d in districts}
    parties = {normalized(p.name): p for p in Party.objects.all()}
    lists = {
        (pl.party_id, pl.district_id): pl
        for pl in PartyList.objects.filter(district__election=election).select_related(
            "party", "district"
        )
    }
    existing_rows = Candidate.objects.filter(party_list__district__election=election)
    if lock:
        existing_rows = existing_rows.select_for_update(of=("self",))
    existing = {(c.party_list_id, c.position): c for c in existing_rows}

    seen: dict[tuple[int, int], int] = {}
    tallies: dict[int, Counter[str]] = {}
    plan: list[PlannedRow] = []
    for row in table.rows:
        if row.number in report.bad_rows:
            continue
        cells = RowCells(row, report)
        district_text = cells.text("district")
        party_text = cells.text("party")
        position = cells.integer("position", minimum=1)
        content: dict[str, Any] = {
            "full_name": cells.text("full_name", max_length=200),
            "gender": cells.choice("gender", GENDER_CODES),
            "status": cells.choice("status", STATUS_CODES, default=Candidate.Status.REGISTERED),
            "denial_reason": cells.text("denial_reason", required=False, max_length=500),
        }
        district = by_code.get(district_text.upper()) or by_name.get(normalized(district_text))
        if district_text and district is None:
            cells.error(
                "district",
                _("There is no district with the code or name “%(name)s” in this election.")
                % {"name": district_text},
            )
        party = parties.get(normalized(party_text)) if party_text else None
        if party_text and party is None:
            cells.error("party", _("There is no party named “%(name)s”.") % {"name": party_text})
        party_list = lists.get((party.pk, district.pk)) if party and district else None
        if party and district and party_list is None:
            cells.error(
                "party",
                _("%(party)s has no list in %(district)s; add the list before its candidates.")
                % {"party": party.name, "district": district.name},
            )
        if cells.failed or party_list is None or position is None:
            continue
        key = (party_list.pk, position)
        if key in seen:
            cells.error(
                "position",
                _("Row %(row)s already gives position %(position)s of this list.")
                % {"row": seen[key], "position": position},
            )
            continue
        seen[key] = row.number
        label = f"{party_list.party.name} — {party_list.district.name}, #{position}"
        candidate = existing.get(key)
        if candidate is None:
            candidate = Candidate(party_list=party_list, position=position, **content)
            outcome = RowOutcome(
                row.number, "create", label, {k: [None, v] for k, v in content.items() if v}
            )
        else:
            changes = model_changes(candidate, content)
            if not changes:
                report.rows.append(RowOutcome(row.number, "unchanged", label))
                _tally(tallies, party_list, content)
                continue
            for name, value in content.items():
                setattr(candidate, name, value)
            outcome = RowOutcome(row.number, "update", label, changes)
        # Rows from a file are real data, even where they replace a demo record.
        candidate.is_demo = False
        try:
            # party_list was resolved above and (list, position) is checked against the
            # file and the database, so neither needs a query per row; the constraints
            # are judged for the whole file at once (see judge_and_write).
            candidate.full_clean(
                exclude=["party_list"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            cells.model_errors(exc, IMPORT_COLUMNS)
            continue
        report.rows.append(outcome)
        plan.append(PlannedRow(cells, candidate, outcome))
        _tally(tallies, party_list, content)

    report.summary = _list_summary(tallies, lists)
    return plan


def _tally(tallies: dict[int, Counter[str]], party_list: PartyList, content: dict) -> None:
    counter = tallies.setdefault(party_list.pk, Counter())
    counter["rows"] += 1
    counter[content["status"]] += 1
    counter[content["gender"]] += 1


def _list_summary(
    tallies: dict[int, Counter[str]], lists: dict[tuple[int, int], PartyList]
) -> list[dict[str, Any]]:
    by_pk = {pl.pk: pl for pl in lists.values()}
    summary = []
    for pk, counter in tallies.items():
        party_list = by_pk[pk]
        summary.append(
            {
                "party_list": pk,
                "district": party_list.district.name,
                "party": party_list.party.name,
                "nominated_count": party_list.nominated_count,
                "rows": counter["rows"],
                "registered": counter["registered"],
                "denied": counter["denied"],
                "withdrawn": counter["withdrawn"],
                "male": counter["M"],
                "female": counter["F"],
            }
        )
    return sorted(summary, key=lambda item: (item["district"], item["party"]))
