"""Every write of incident filing: filing, evidence, answers to head office.

Triage and transitions (``lifecycle``) and escalation (``escalation``) live beside this
module and build on the same models.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.fields.files import FieldFile
from django.db.models.sql import InsertQuery
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commissions.models import Commission
from incidents import details as incident_details
from incidents import files as evidence_files
from incidents import policies
from incidents.models import (
    Comment,
    DistrictIncidentCounter,
    Evidence,
    Incident,
    IncidentEvent,
)
from incidents.services import lifecycle
from incidents.services.records import clean_text
from observation.kernel import statements
from observation.kernel.access import role_of
from observation.kernel.api import Conflict
from observation.kernel.audit import audit_entry, audit_log
from observation.models import Candidate, District, Election, Party, PartyList

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

CLOCK_SKEW = dt.timedelta(minutes=10)
"""A phone's clock may run a little fast; a report 'from the future' beyond this is a
mistake in the date."""


_NOT_VALIDATED = [
    "ref", "number", "fingerprint", "election", "district", "reported_by", "pec", "party",
    "candidate", "kind", "details",
]  # fmt: skip


class IncidentConflict(Conflict):
    """The ``id`` is taken by a different report (or another observer's). The API answers
    409 and says nothing more, so ids cannot be probed."""

    def response_data(self) -> dict[str, Any]:
        return {"detail": "This id is already used by another report. Generate a new id."}


def _pk(reference: models.Model | int | None) -> int | None:
    return reference.pk if isinstance(reference, models.Model) else reference


def _canonical_content(
    *,
    district: District | int,
    kind: str,
    occurred_at: dt.datetime,
    location: str,
    pec: Commission | int | None,
    latitude: Decimal | None,
    longitude: Decimal | None,
    party: Party | int | None,
    candidate: Candidate | int | None,
    description: str,
    source: str,
    witnesses: str,
    details: dict[str, Any],
) -> str:
    def coordinate(value: Decimal | None) -> str | None:
        return None if value is None else str(Decimal(value).quantize(Decimal("0.000001")))

    content = {
        "district": _pk(district),
        "kind": kind,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(),
        "location": location,
        "pec": _pk(pec),
        "latitude": coordinate(latitude),
        "longitude": coordinate(longitude),
        "party": _pk(party),
        "candidate": _pk(candidate),
        "description": description,
        "source": source,
        "witnesses": witnesses,
        "details": details,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def incident_fingerprint(**content: Any) -> str:
    """Hash of the submitted content, as compared when a client resends an ``id``."""
    return hashlib.sha256(_canonical_content(**content).encode()).hexdigest()


def _next_number(district_id: int) -> int:
    """Take the district's next number. The UPDATE takes the counter row's lock (and
    SQLite's write lock), so concurrent filings in one district queue here and each gets
    its own number; a rolled-back filing gives its number back."""
    table = DistrictIncidentCounter._meta.db_table
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 (own table)
                "WHERE district_id = %s RETURNING last_number",
                [district_id],
            )
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        # The district's first incident creates the counter. Two first incidents at once
        # collide on its primary key; the loser goes round again and takes number 2.
        try:
            with transaction.atomic():
                DistrictIncidentCounter.objects.create(district_id=district_id, last_number=1)
            return 1
        except IntegrityError:
            continue
    raise RuntimeError(f"Could not number an incident in district {district_id}")


FITS = ("pec_fits", "party_fits", "candidate_fits")
WINDOW = ("election__observation_start", "election__observation_end", "election__election_day")


def _date_window(facts: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """The days an incident of this election may be dated: its observation period (and
    election day) widened by ``INCIDENT_DATE_MARGIN_DAYS`` on each side."""
    margin = dt.timedelta(days=settings.INCIDENT_DATE_MARGIN_DAYS)
    days = [facts[name] for name in WINDOW]
    return min(days) - margin, max(days) + margin


def _filing_facts(
    *,
    actor: AbstractUser,
    incident_id: uuid.UUID,
    district_id: int,
    pec_id: int | None,
    party_id: int | None,
    candidate_id: int | None,
    election_id: int | None,
) -> dict[str, Any] | None:
    """What filing must know before it writes, read in ONE query (it used to take one
    query per reference and one per check): the district's code and election, whether
    the id is taken, whether ``actor`` may file in the district, and whether each other
    reference fits it. ``None`` when the district does not exist.

    The query is built by ``_facts_queryset`` with the ORM and the policies; it is
    compiled once per process for each shape (which references are given, the actor's
    role) and prepared once per connection (``observation.kernel.statements``,
    docs/benchmarks.md, filing): only the values change from one filing to the next."""
    values = {
        "id": incident_id, "district": district_id, "pec": pec_id, "party": party_id,
        "candidate": candidate_id, "election": election_id, "actor": actor.pk,
    }  # fmt: skip
    shape = (
        role_of(actor), actor.is_superuser,
        *(values[name] is None for name in ("pec", "party", "candidate", "election")),
    )  # fmt: skip
    template = _FACTS.get(shape, _UNBUILT)
    if template is _UNBUILT:
        try:
            template = statements.Template.build(
                lambda slots: _facts_queryset(
                    actor=_standin(actor, slots),
                    incident_id=slots.uuid("id"),
                    # the election only reaches the SQL with a PEC (checked in Python else)
                    **{
                        f"{name}_id": None
                        if values[name] is None
                        else slots.int(name, required=name != "election")
                        for name in ("district", "pec", "party", "candidate", "election")
                    },
                )
            )
        except statements.NotCacheable:
            template = None
        _FACTS[shape] = template
    if template is None:
        return next(
            iter(_facts_queryset(actor=actor, incident_id=incident_id, **_ids(values))), None
        )
    return template.first(values)


_UNBUILT = object()
_FACTS: dict[tuple, statements.Template | None] = {}


def _ids(values: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{name}_id": values[name] for name in ("district", "pec", "party", "candidate", "election")
    }


def _standin(actor: AbstractUser, slots: statements.Slots) -> AbstractUser:
    """A copy of ``actor`` whose key is a slot (and whose profile's key a guard), for
    building the facts query of the actor's role once for every user of that role."""
    standin = copy.copy(actor)
    standin.pk = slots.int("actor", required=False)  # head office's rule does not read it
    profile = getattr(actor, "observer_profile", None)
    if profile is not None:
        profile = copy.copy(profile)
        profile.pk = slots.guard()
        standin.observer_profile = profile
    return standin


def _facts_queryset(
    *,
    actor: AbstractUser,
    incident_id: uuid.UUID,
    district_id: int,
    pec_id: int | None,
    party_id: int | None,
    candidate_id: int | None,
    election_id: int | None,
) -> models.QuerySet:
    """The query of ``_filing_facts``. Each ``*_fits`` filter IS the rule for its
    reference (docs/architecture.md#guarantees: nothing from another district or
    election); ``_explain_refusal`` only says why one failed."""
    here = OuterRef("pk")
    facts: dict[str, Any] = {
        "id_taken": Exists(Incident.objects.filter(pk=incident_id)),
        "may_file_here": Exists(policies.filing_districts(actor).filter(pk=here)),
    }
    if party_id is not None:
        facts["party_fits"] = Exists(PartyList.objects.filter(party=party_id, district=here))
    if pec_id is not None:
        facts["pec_fits"] = Exists(
            Commission.objects.filter(
                pk=pec_id,
                level=Commission.Level.PEC,
                election=OuterRef("election_id") if election_id is None else election_id,
                district=here,
            )
        )
    if candidate_id is not None:
        facts["candidate_fits"] = Exists(
            Candidate.objects.filter(
                pk=candidate_id, party_list__district=here, party_list__party=party_id
            )
        )
    return (
        District.objects.filter(pk=district_id)
        .annotate(**facts)
        .values("code", "election_id", *WINDOW, *facts)
        .order_by()[:1]  # not District's default ordering: that joins the election
    )


def _failed_rules(facts: dict[str, Any]) -> set[str]:
    """The references whose ``*_fits`` rule failed."""
    return {name.removesuffix("_fits") for name in FITS if name in facts and not facts[name]}


def _explain_refusal(
    facts: dict[str, Any], *, district_id: int, pec_id: int | None, party_id: int | None,
    candidate_id: int | None, election_id: int | None,
) -> tuple[dict[str, str], dict[str, str]]:  # fmt: skip
    """Why references failed the rules of ``_filing_facts``, as ``(missing, misfits)``:
    references to rows that do not exist (only a client sending ids can cause that), and
    rows that exist but belong elsewhere. Reads the failed references only, so only a
    refused filing pays for it."""
    failed = _failed_rules(facts)
    missing: dict[str, str] = {}
    misfits: dict[str, str] = {}
    if election_id is not None and election_id != facts["election_id"]:
        if Election.objects.filter(pk=election_id).exists():
            misfits["district"] = _("This district belongs to another election.")
        else:
            missing["election"] = _("This election does not exist.")
    if "pec" in failed:
        if Commission.objects.filter(pk=pec_id).exists():
            misfits["pec"] = _("Choose a precinct commission (PEC) of this district.")
        else:
            missing["pec"] = _("This commission does not exist.")
    if "party" in failed:
        if Party.objects.filter(pk=party_id).exists():
            misfits["party"] = _("This party has no list in this district.")
        else:
            missing["party"] = _("This party does not exist.")
    if "candidate" in failed:
        stands = Candidate.objects.filter(pk=candidate_id).values_list(
            "party_list__district", flat=True
        )
        if not stands:
            missing["candidate"] = _("This candidate does not exist.")
        elif stands[0] != district_id:
            misfits["candidate"] = _("This candidate does not stand in this district.")
        else:
            misfits["candidate"] = _("This candidate is not on the list of the chosen party.")
    return missing, misfits


def incident_file(
    *,
    actor: AbstractUser,
    id: uuid.UUID,
    district: District | int,
    kind: str,
    occurred_at: dt.datetime,
    location: str,
    description: str,
    source: str,
    details: dict[str, Any] | None = None,
    election: Election | int | None = None,
    pec: Commission | int | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    party: Party | int | None = None,
    candidate: Candidate | int | None = None,
    witnesses: str = "",
    evidence_expected: int = 0,
    reported_at: dt.datetime | None = None,
    is_demo: bool = False,
) -> tuple[Incident, bool]:
    """File an incident; the only way one is created. Returns ``(incident, created)``.

    References are model instances (forms) or primary keys (the API); either way they are
    checked here against the database, in one query.

    Idempotent (docs/api.md): the same ``id`` with the same content returns the stored
    incident and creates nothing; the same ``id`` with other content, or filed by another
    user, raises ``IncidentConflict``. The primary key is the guarantee, so two copies of
    one report arriving at once still make one incident."""
    if not policies.can_file(actor):
        raise PermissionDenied(_("Your role does not file incidents."))
    if not isinstance(id, uuid.UUID):
        try:
            id = uuid.UUID(str(id))
        except ValueError as exc:
            raise ValidationError({"id": _("Send the report's id as a UUID.")}) from exc
    if kind not in incident_details.FIELDS:
        raise ValidationError({"kind": _("Choose one of the three forms.")})
    location = clean_text(location, "location")
    description = clean_text(description, "description")
    witnesses = clean_text(witnesses, "witnesses")
    clean, detail_errors = incident_details.clean_details(kind, details)
    if detail_errors:
        raise ValidationError(
            {f"details.{name}": messages for name, messages in detail_errors.items()}
        )
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    ids = {
        "district_id": _pk(district), "election_id": _pk(election), "pec_id": _pk(pec),
        "party_id": _pk(party), "candidate_id": _pk(candidate),
    }  # fmt: skip
    fingerprint = incident_fingerprint(
        district=ids["district_id"], kind=kind, occurred_at=occurred_at, location=location,
        pec=ids["pec_id"], latitude=latitude, longitude=longitude, party=ids["party_id"],
        candidate=ids["candidate_id"], description=description, source=source,
        witnesses=witnesses, details=clean,
    )  # fmt: skip

    facts = _filing_facts(actor=actor, incident_id=id, **ids)
    if facts is None:
        raise ValidationError({"district": _("This district does not exist.")})
    if _failed_rules(facts) or ids["election_id"] not in (None, facts["election_id"]):
        missing, misfits = _explain_refusal(facts, **ids)
    else:
        missing, misfits = {}, {}
    if missing:
        raise ValidationError(missing)
    if facts["id_taken"]:
        # A resend: answered from what is stored, whatever has changed around it since.
        existing = Incident.objects.get(pk=id)
        return _resent(existing, actor=actor, fingerprint=fingerprint), False

    errors = misfits
    if not facts["may_file_here"]:
        errors["district"] = _("You can only report incidents in the districts you cover.")
    if occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = _("This time is in the future. Check the date and time.")
    else:
        first, last = _date_window(facts)
        day = timezone.localdate(occurred_at)
        if not first <= day <= last:
            errors["occurred_at"] = _(
                "This date is outside the election's observation period: incidents of this "
                "election can be dated from %(first)s to %(last)s. Check the date."
            ) % {"first": date_format(first), "last": date_format(last)}
    if (latitude is None) != (longitude is None):
        errors["latitude" if latitude is None else "longitude"] = _(
            "Give both latitude and longitude, or neither."
        )
    if errors:
        raise ValidationError(errors)

    incident = Incident(
        id=id, election_id=ids["election_id"] or facts["election_id"],
        district_id=ids["district_id"], kind=kind, occurred_at=occurred_at,
        reported_at=reported_at or timezone.now(), reported_by=actor, location=location,
        pec_id=ids["pec_id"], latitude=latitude, longitude=longitude,
        party_id=ids["party_id"], candidate_id=ids["candidate_id"], description=description,
        source=source, witnesses=witnesses, details=clean,
        evidence_expected=evidence_expected, fingerprint=fingerprint, is_demo=is_demo,
    )  # fmt: skip
    for name, reference in (
        ("election", election), ("district", district), ("pec", pec), ("party", party),
        ("candidate", candidate),
    ):  # fmt: skip
        if isinstance(reference, models.Model):
            setattr(incident, name, reference)  # the caller's object: not read again
    # The references were checked above and ``kind`` and ``details`` by their own rules;
    # this validates the remaining fields (lengths, ranges, blanks) once.
    incident.full_clean(exclude=_NOT_VALIDATED, validate_unique=False, validate_constraints=False)

    if connection.vendor == "postgresql":
        return _write_in_one_statement(
            incident, code=facts["code"], actor=actor, fingerprint=fingerprint
        )
    try:
        with transaction.atomic():
            incident.number = _next_number(ids["district_id"])
            incident.ref = f"{facts['code']}-{incident.number:04d}"
            incident.save(force_insert=True)
            IncidentEvent.objects.create(
                incident=incident,
                at=incident.reported_at,
                actor=actor,
                kind=IncidentEvent.Kind.CREATED,
                to_status=incident.status,
            )
            audit_log(
                actor=actor,
                action="incident.file",
                target=incident,
                data={"ref": incident.ref, "kind": kind, "district_id": ids["district_id"]},
            )
    except IntegrityError:
        # Another copy of this report won the race to the primary key and is committed
        # now (PostgreSQL made this insert wait for it). This whole transaction, number
        # included, has rolled back; no savepoint is needed for that.
        existing = Incident.objects.filter(pk=id).first()
        if existing is None:
            raise
        return _resent(existing, actor=actor, fingerprint=fingerprint), False
    return incident, True


def _insert_sql(obj: models.Model, **values: RawSQL) -> tuple[str, list[Any]]:
    """The ORM's own INSERT of ``obj`` (defaults, ``auto_now``, JSON encoding...), with
    ``values`` set first: SQL expressions that read the numbering CTE."""
    for name, value in values.items():
        setattr(obj, name, value)
    query = InsertQuery(type(obj))
    query.insert_values(_insert_fields(type(obj)), [obj])
    [(sql, params)] = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not (f.primary_key and f.db_returning)]


def _insert_params(obj: models.Model, **values: RawSQL) -> list[Any]:
    """The parameters ``_insert_sql`` gives for ``obj``, without compiling the statement:
    each field's value as the insert compiler prepares it (``pre_save``, then
    ``get_db_prep_save``), or the parameters of the expression set in its place.
    ``_write_sql`` checks once per process that the two agree."""
    for name, value in values.items():
        setattr(obj, name, value)
    params: list[Any] = []
    for field in _insert_fields(type(obj)):
        value = values.get(field.name)
        if value is not None:
            params += value.params
        else:
            params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
    return params


def _write_values(incident: Incident, *, actor: AbstractUser) -> tuple:
    """The three rows of a filing, with the SQL expressions that read the numbering CTE."""
    number = RawSQL("(SELECT number FROM numbered)", [])
    ref = RawSQL("(SELECT ref FROM numbered)", [])
    event = IncidentEvent(
        incident=incident,
        at=incident.reported_at,
        actor=actor,
        kind=IncidentEvent.Kind.CREATED,
        to_status=incident.status,
    )
    entry = audit_entry(actor=actor, action="incident.file", target=incident)
    audit_data = RawSQL(
        "jsonb_build_object('ref', (SELECT ref FROM numbered), 'kind', %s::text, "
        "'district_id', %s::bigint)",
        [incident.kind, incident.district_id],
    )
    return (
        (incident, {"number": number, "ref": ref}),
        (event, {}),
        (entry, {"object_repr": ref, "data": audit_data}),
    )


_COUNTER_SQL = (
    "WITH counted AS (INSERT INTO {counter} (district_id, last_number) VALUES (%s, 1) "
    "ON CONFLICT (district_id) DO UPDATE SET last_number = {counter}.last_number + 1 "
    "RETURNING last_number), "
    "numbered AS (SELECT last_number AS number, %s::text || '-' || "
    "lpad(last_number::text, greatest(4, length(last_number::text)), '0') AS ref "
    "FROM counted), "
)
_WRITE: list[statements.Statement | None] = []


def _compiled_write(rows: tuple, head: list[Any]) -> tuple[str, list[Any]]:
    """The one statement of ``_write_in_one_statement`` and its parameters, compiled by
    the ORM. Its SQL is the same for every filing, so this runs once per process: the
    first filing keeps it (prepared once per connection) after checking that
    ``_insert_params`` computes the parameters the compiler gave; each later filing
    computes only its parameters. If they disagree, every filing compiles."""
    compiled = [_insert_sql(obj, **values) for obj, values in rows]
    counter = DistrictIncidentCounter._meta.db_table
    sql = _COUNTER_SQL.format(counter=counter) + (
        "i AS ({}), e AS ({}), a AS ({}) SELECT number, ref FROM numbered".format(
            *(insert for insert, _ in compiled)
        )
    )  # own tables; every value is a parameter
    params = [*head, *(p for _, insert_params in compiled for p in insert_params)]
    if not _WRITE:
        computed = [*head, *(p for obj, values in rows for p in _insert_params(obj, **values))]
        agree = len(computed) == len(params) and all(
            _comparable(a) == _comparable(b) for a, b in zip(computed, params, strict=True)
        )
        _WRITE.append(statements.Statement(sql) if agree else None)
    return sql, params


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # auto_now: a new time on each pre_save
        return dt.datetime
    return getattr(value, "adapted", value)  # Django's JSON adapter keeps its value


def _write_in_one_statement(
    incident: Incident, *, code: str, actor: AbstractUser, fingerprint: str
) -> tuple[Incident, bool]:
    """PostgreSQL: number the incident and insert it, its ``created`` event and its audit
    entry in ONE statement (docs/benchmarks.md, filing): six round trips fewer than
    BEGIN, counter, three INSERTs and COMMIT, with the same guarantees. The statement is
    atomic on its own, so the four rows commit together or not at all; the counter's
    upsert takes the district's row lock, so each number is handed out once (the
    district's first incident creates the counter in the same statement); a copy of the
    report that won the race to the primary key makes this statement fail whole, number
    included, and the stored incident is answered instead."""
    rows = _write_values(incident, actor=actor)
    head = [incident.district_id, code]
    statement = _WRITE[0] if _WRITE else None
    if statement is not None:
        params = [*head, *(p for obj, values in rows for p in _insert_params(obj, **values))]
    else:
        sql, params = _compiled_write(rows, head)
    try:
        # Inside a caller's transaction (tests, scripts) a savepoint keeps that
        # transaction usable after a lost race; in autocommit the statement is its own.
        savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with savepoint:
            if statement is not None:
                incident.number, incident.ref = statement.execute(params)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    incident.number, incident.ref = cursor.fetchone()
    except IntegrityError:
        existing = Incident.objects.filter(pk=incident.pk).first()
        if existing is None:
            raise
        return _resent(existing, actor=actor, fingerprint=fingerprint), False
    incident._state.adding = False
    incident._state.db = connection.alias
    return incident, True


def _resent(existing: Incident, *, actor: AbstractUser, fingerprint: str) -> Incident:
    if existing.reported_by_id != actor.pk or existing.fingerprint != fingerprint:
        raise IncidentConflict
    return existing


# --- evidence ---------------------------------------------------------------------------


def evidence_check(file: IO[bytes] | File) -> str:
    """Size and type of one upload, before anything is stored. Returns the content type;
    raises ValidationError on ``file``. Forms call it to refuse a bad file up front."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > settings.EVIDENCE_MAX_BYTES:
        limit = settings.EVIDENCE_MAX_BYTES / (1024 * 1024)
        raise ValidationError(
            {"file": _("The file is larger than %(limit)g MB.") % {"limit": round(limit, 1)}}
        )
    try:
        content_type = evidence_files.detect_type(file)
        evidence_files.check_image_size(file, content_type)
    except evidence_files.EvidenceFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    return content_type


def evidence_add(*, actor: AbstractUser, incident: Incident, file: File) -> tuple[Evidence, bool]:
    """Attach one file. Returns ``(evidence, created)``; the same file sent again to the
    same incident returns the stored one (SHA-256).

    The slow part (removing location data, writing the files) runs before the incident's
    row is locked, so uploads to one incident do not queue behind each other's files; the
    lock is taken only to check again and record. Files are written before their row, so
    a row never lacks its file. Files written for a row that is then not saved (refused,
    a duplicate that arrived at the same moment, an error) are deleted here. If a caller's
    own transaction rolls back after this returns, its files stay behind unreferenced:
    harmless, since nothing lists them and downloads go through the row."""
    if not policies.can_add_evidence(actor, incident):
        raise PermissionDenied(_("You cannot add evidence to this incident."))
    content_type = evidence_check(file)
    sha256 = evidence_files.sha256_of(file)
    original_name = (getattr(file, "name", "") or "evidence").replace("\\", "/").split("/")[-1]
    original_name = original_name[:255] or "evidence"

    # Answered before any file work, in the order the locked check below repeats: a
    # resend, then the limit.
    stored = _stored_or_check_limit(incident, sha256)
    if stored is not None:
        return stored, False
    try:
        cleaned = evidence_files.remove_location(file, content_type)
    except evidence_files.EvidenceFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if cleaned.location_data == Evidence.LocationData.STRIPPED and cleaned.copy is None:
        # never record a stripped copy that was not written
        raise ValidationError({"file": str(evidence_files.DAMAGED)})
    evidence = Evidence(
        incident=incident,
        original_name=original_name,
        content_type=content_type,
        size=file.size,
        sha256=sha256,
        uploaded_by=actor,
        location_data=cleaned.location_data,
    )
    written: list[str] = []
    try:
        file.seek(0)
        evidence.file.save("original", File(file), save=False)
        written.append(evidence.file.name)
        if cleaned.copy is not None:
            copy = cleaned.copy
            content = ContentFile(copy) if isinstance(copy, bytes) else File(copy)
            evidence.stripped_file.save("stripped", content, save=False)
            written.append(evidence.stripped_file.name)
        evidence.full_clean(
            exclude=["incident", "uploaded_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        stored = _evidence_record(actor=actor, incident=incident, evidence=evidence)
    except BaseException:
        # The row is not saved; do not leave its files behind.
        _delete_files(evidence, written)
        raise
    if stored is not None:
        _delete_files(evidence, written)
        return stored, False
    return evidence, True


def _stored_or_check_limit(incident: Incident, sha256: str) -> Evidence | None:
    """The stored copy of this file, if any; else raises when the incident has as many
    files as allowed."""
    stored = Evidence.objects.filter(incident=incident, sha256=sha256).first()
    if stored is not None:
        return stored
    if Evidence.objects.filter(incident=incident).count() >= settings.EVIDENCE_MAX_FILES:
        raise ValidationError(
            {
                "file": _("This incident already has %(n)d files, the most allowed.")
                % {"n": settings.EVIDENCE_MAX_FILES}
            }
        )
    return None


def _evidence_record(
    *, actor: AbstractUser, incident: Incident, evidence: Evidence
) -> Evidence | None:
    """Save ``evidence`` (its files already written) with its event and audit entry, or
    return the stored copy of the same file that got there first."""
    with transaction.atomic():
        # The incident row's lock serialises the recording of uploads to one incident, so
        # the count limit and the duplicate check cannot be raced.
        Incident.objects.select_for_update().filter(pk=incident.pk).first()
        stored = _stored_or_check_limit(incident, evidence.sha256)
        if stored is not None:
            return stored
        try:
            with transaction.atomic():
                evidence.save(force_insert=True)
        except IntegrityError:
            # The same file arrived twice at once (SQLite has no row lock).
            stored = Evidence.objects.filter(incident=incident, sha256=evidence.sha256).first()
            if stored is None:
                raise
            return stored
        IncidentEvent.objects.create(
            incident=incident,
            actor=actor,
            kind=IncidentEvent.Kind.EVIDENCE_ADDED,
            note=evidence.original_name,
            data={"evidence_id": str(evidence.pk), "sha256": evidence.sha256},
        )
        audit_log(
            actor=actor,
            action="incident.evidence_add",
            target=incident,
            data={
                "evidence_id": str(evidence.pk),
                "sha256": evidence.sha256,
                "size": evidence.size,
            },
        )
    return None


def _delete_files(evidence: Evidence, names: list[str]) -> None:
    for name in names:
        evidence.file.storage.delete(name)


def evidence_downloaded(*, actor: Any, evidence: Evidence, copy: str) -> None:
    """Record who fetched which copy (``file``: the original, ``stripped_file``), before
    the bytes are streamed from the disk or the bucket (docs/storage.md)."""
    audit_log(
        actor=actor,
        action="incident.evidence_download",
        target=evidence.incident,
        data={"evidence_id": str(evidence.pk), "copy": copy, "sha256": evidence.sha256},
    )


# --- questions from head office -----------------------------------------------------------


def question_answer(
    *, actor: AbstractUser, question: Comment, body: str, files: Sequence[File] = ()
) -> Comment:
    """The observer answers head office's question, with the files that answer it (a
    photo asked for) in the same step: the answer and every file are stored, or, when
    one is refused, nothing is (the error names the file). Head office sees the answer on
    the incident's timeline, and the incident goes back into review once no question is
    left open."""
    incident = question.incident
    if not policies.can_answer_question(actor, incident):
        raise PermissionDenied(_("Only the observer who filed the incident answers."))
    body = (body or "").strip()
    if question.visibility != Comment.Visibility.QUESTION_TO_LTO:
        raise ValidationError({"body": _("This is not a question to you.")})
    for file in files:
        # The cheap checks first, before anything is written.
        try:
            evidence_check(file)
        except ValidationError as exc:
            raise _file_error(file, exc) from None
    with transaction.atomic():
        answer = _answer(actor=actor, question=question, incident=incident, body=body)
        for file in files:
            try:
                evidence_add(actor=actor, incident=incident, file=file)
            except ValidationError as exc:
                raise _file_error(file, exc) from None
    return answer


def _file_error(file: File, exc: ValidationError) -> ValidationError:
    name = (getattr(file, "name", "") or "").replace("\\", "/").split("/")[-1]
    messages = exc.messages
    if hasattr(exc, "error_dict"):
        messages = exc.message_dict.get("file", exc.messages)
    return ValidationError({"evidence": [f"{name}: {m}" for m in messages]})


def _answer(*, actor: AbstractUser, question: Comment, incident: Incident, body: str) -> Comment:
    with transaction.atomic():
        question = Comment.objects.select_for_update().get(pk=question.pk)
        if question.answered_at is not None:
            raise ValidationError({"body": _("This question has already been answered.")})
        answer = Comment(
            incident=incident,
            author=actor,
            body=body,
            visibility=Comment.Visibility.ANSWER_FROM_LTO,
            reply_to=question,
        )
        answer.full_clean()
        answer.save()
        question.answered_at = answer.created_at
        question.save(update_fields=["answered_at"])
        IncidentEvent.objects.create(
            incident=incident,
            at=answer.created_at,
            actor=actor,
            kind=IncidentEvent.Kind.ANSWER,
            note=body,
            data={"question_id": question.pk, "answer_id": answer.pk},
        )
        audit_log(
            actor=actor,
            action="incident.answer",
            target=incident,
            data={"question_id": question.pk, "answer_id": answer.pk},
        )
        # back into review and an alert for head office, in the same transaction
        lifecycle.incident_answer_received(incident=incident, comment=answer)
    return answer


def evidence_download(*, actor: AbstractUser, evidence: Evidence) -> FieldFile:
    """The stored file of ``evidence`` that ``actor`` may have (the original for head
    office and administrators, the copy without location data for the others). Raises
    ``Http404`` when ``actor`` may not see the incident and ``PermissionDenied`` when there
    is no copy for them (docs/incidents.md#evidence). The caller records the download
    with ``evidence_downloaded`` once it opened the file."""
    if not policies.can_see_incident(actor, evidence.incident):
        raise Http404
    stored = policies.evidence_file_for(actor, evidence)
    if stored is None:
        raise PermissionDenied(_("There is no copy of this file you may download."))
    return stored
