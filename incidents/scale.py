"""Scale data for benchmarks (docs/benchmarks.md#scale-data): an election at national
scale (60 districts, 2,500 PECs, 40,000 candidates) and as many incidents as asked, with
their events, evidence rows and varied Cyrillic and Latin text. Never in production: it
creates the demo sign-ins with the demo password.

``build(incidents=N)`` is idempotent and additive: it creates the election and people on
the first run and then adds incidents until there are ``N`` of the scale election, so a
benchmark measures at 1,000 and then grows the same database to 100,000. Rows are written
with ``bulk_create`` in batches (no per-row service call: the data is synthetic and the
services' rules are not what is measured); the district counters are set so that filing
afterwards continues the numbering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.postgres.indexes import GinIndex
from django.db import connection, transaction
from django.utils import timezone

from commissions.models import Commission
from incidents.details import FIELDS
from incidents.models import (
    DistrictIncidentCounter,
    Evidence,
    Incident,
    IncidentEvent,
)
from observation.demo import USERS as DEMO_USERS
from observation.kernel.roles import Role
from observation.models import (
    Candidate,
    District,
    Election,
    ObserverProfile,
    Party,
    PartyList,
)

ELECTION_NAME = "Scale data: parliamentary elections (synthetic)"
BATCH = 5000


@dataclass(frozen=True)
class Shape:
    """Reference data of the scale election. The defaults are national scale."""

    districts: int = 60
    pecs: int = 2500
    candidates: int = 40000
    parties: int = 40
    lists_per_district: int = 20
    ltos_per_district: int = 5


# --- varied text -----------------------------------------------------------------------------

# The first three districts carry the demo sign-ins' codes (BSK, OSH, TKM).
DISTRICT_NAMES = [
    ("BSK", "Бишкек"), ("OSH", "Ош"), ("TKM", "Токмок"), ("KRK", "Каракол"),
    ("JLB", "Жалал-Абад"), ("NRN", "Нарын"), ("TLS", "Талас"), ("BTK", "Баткен"),
    ("UZG", "Узген"), ("KNT", "Кант"), ("BLK", "Балыкчы"), ("KBT", "Кара-Балта"),
]  # fmt: skip
PARTY_WORDS = [
    "Emgek", "Ata-Jurt", "Turan", "Ynanym", "Bir Bol", "Mekenchil", "Reforma", "Yiman Nuru",
    "Замандаш", "Ата Мекен", "Республика", "Butun Kyrgyzstan", "Социал-демократы", "Ordo",
    "Мекеним", "Ар-Намыс", "Kyrgyzstan", "Zhany Kuch", "Онугуу", "Ак Шумкар",
]  # fmt: skip
GIVEN = [
    "Айгуль", "Бакыт", "Чолпон", "Данияр", "Эркин", "Гульнара", "Азамат", "Нургуль", "Тимур",
    "Aibek", "Asel", "Bermet", "Kanat", "Meerim", "Nurlan", "Zarina", "Ulan", "Jyldyz",
]  # fmt: skip
FAMILY = [
    "Асанов", "Токтогулова", "Жумабеков", "Осмонова", "Садыков", "Иманалиева", "Бекмуратов",
    "Abdrakhmanov", "Sultanova", "Mamytov", "Kasymova", "Toktosunov", "Isaeva", "Orozbekov",
]  # fmt: skip
PLACES = [
    "Школа №{n}", "School No. {n}", "Рынок «{w}»", "{w} bazaar", "Дом культуры, ул. {w}",
    "УИК №{n}", "PEC {n}, gymnasium", "Мечеть на ул. {w}", "Bus stop {w}, {n}",
    "Мектеп №{n}", "Айыл өкмөтү, {w}", "Поликлиника №{n}", "Yard of building {n}, {w} street",
]  # fmt: skip
STREETS = [
    "Чуй", "Манаса", "Токтогула", "Ахунбаева", "Советская", "Ленина", "Масалиева",
    "Kurmanjan Datka", "Jibek Jolu", "Frunze", "Moskovskaya", "Ибраимова", "Алма-Атинская",
]  # fmt: skip
OPENINGS = [
    "Наблюдатель видел, как", "Свидетель сообщил, что", "По словам жителей,",
    "The observer saw that", "A witness reported that", "Residents say that",
    "Байкоочу көрдү:", "В соцсетях опубликовано видео, где",
]  # fmt: skip
ACTS = [
    "раздавали продуктовые наборы от кандидата {name}",
    "обещали по {n}00 сом за голос",
    "директор школы собрал учителей и потребовал голосовать за партию {party}",
    "агитационные листовки партии {party} без выходных данных висят у входа",
    "a party agent of {party} offered {n}00 som per vote near the entrance",
    "teachers were told to bring {n} relatives to the rally of {party}",
    "posters of {name} were put up on the polling station's wall",
    "служебный автомобиль акимиата возил избирателей на встречу с {name}",
    "campaigning continued during the silence period with loudspeakers",
    "{name} threatened market vendors with losing their stalls",
]  # fmt: skip
CLOSINGS = [
    "Есть фото.", "Photos attached.", "Свидетель готов дать показания.", "",
    "Видео в приложении.", "Around {n} people were present.", "Около {n} человек.",
    "Полиция не вмешалась.", "The PEC chair was informed.",
]  # fmt: skip


class Text:
    def __init__(self, rng: random.Random, parties: list[str], names: list[str]) -> None:
        self.rng, self.parties, self.names = rng, parties, names

    def fill(self, pattern: str) -> str:
        r = self.rng
        return pattern.format(
            n=r.randint(1, 199), w=r.choice(STREETS), party=r.choice(self.parties),
            name=r.choice(self.names),
        )  # fmt: skip

    def location(self) -> str:
        return self.fill(self.rng.choice(PLACES))

    def description(self) -> str:
        r = self.rng
        parts = [f"{r.choice(OPENINGS)} {self.fill(r.choice(ACTS))}."]
        if r.random() < 0.4:
            parts.append(self.fill(r.choice(ACTS)).capitalize() + ".")
        parts.append(self.fill(r.choice(CLOSINGS)))
        return " ".join(p for p in parts if p)


def person(rng: random.Random) -> str:
    family = rng.choice(FAMILY)
    given = rng.choice(GIVEN)
    return f"{family} {given}"


def _details(rng: random.Random, kind: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for f in FIELDS[kind]:
        if f.choices is not None:
            details[f.name] = rng.choice(f.choices.values)
        elif f.count:
            details[f.name] = rng.choice([None, rng.randint(1, 300)])
        else:
            details[f.name] = rng.choice(["", f"{rng.randint(1, 20)}00 сом", person(rng)])
    return details


# --- reference data and people -----------------------------------------------------------------


def _bulk(model: Any, rows: list[Any]) -> list[Any]:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _reference(shape: Shape, rng: random.Random, say: Callable[[str], None]) -> Election:
    election = Election.objects.create(
        name=ELECTION_NAME, kind=Election.Kind.PARLIAMENTARY, election_day=dt.date(2026, 11, 30),
        observation_start=dt.date(2026, 9, 1), observation_end=dt.date(2026, 11, 30),
    )  # fmt: skip
    districts = []
    for i in range(shape.districts):
        code, name = DISTRICT_NAMES[i] if i < len(DISTRICT_NAMES) else (f"D{i:02d}", f"Округ {i}")
        districts.append(
            District(
                election=election, name=name, code=code, mandates=rng.randint(5, 45),
                threshold_percent=Decimal("5.00"),
            )
        )  # fmt: skip
    districts = _bulk(District, districts)
    cec = Commission.objects.create(election=election, level="CEC", name="ЦИК (scale)")
    tecs = _bulk(
        Commission,
        [
            Commission(election=election, level="TEC", name=f"ТИК {d.name} ({d.code})",
                       parent=cec, district=d, pec_count=0)
            for d in districts
        ],
    )  # fmt: skip
    pecs = []
    for n in range(shape.pecs):
        tec = tecs[n % len(tecs)]
        pecs.append(
            Commission(election=election, level="PEC", name=f"УИК №{1000 + n}",
                       parent=tec, district=tec.district)
        )  # fmt: skip
    _bulk(Commission, pecs)
    parties = []
    for n in range(shape.parties):
        base = PARTY_WORDS[n % len(PARTY_WORDS)]
        name = base if n < len(PARTY_WORDS) else f"{base} {n // len(PARTY_WORDS) + 1}"
        parties.append(Party(name=f"{name} (scale)", short_name=name[:60]))
    parties = _bulk(Party, parties)
    lists = []
    for d in districts:
        for party in rng.sample(parties, min(shape.lists_per_district, len(parties))):
            lists.append(PartyList(party=party, district=d, nominated_count=0))
    lists = _bulk(PartyList, lists)
    per_list = max(1, shape.candidates // max(1, len(lists)))
    candidates = [
        Candidate(party_list=pl, full_name=person(rng), gender=rng.choice("FM"),
                  position=p + 1, is_demo=True)
        for pl in lists for p in range(per_list)
    ]  # fmt: skip
    _bulk(Candidate, candidates)
    say(
        f"reference: {len(districts)} districts, {len(tecs)} TECs, {len(pecs)} PECs, "
        f"{len(parties)} parties, {len(lists)} lists, {len(candidates)} candidates"
    )
    _people(shape, election, districts, rng, say)
    return election


def _people(
    shape: Shape, election: Election, districts: list[District], rng: random.Random,
    say: Callable[[str], None],
) -> None:  # fmt: skip
    """The demo sign-ins (docs/configuration.md ``DEMO_PASSWORD``) and the observers."""
    User = get_user_model()
    password = make_password(settings.DEMO_PASSWORD)  # hashed once for every account
    by_code = {d.code: d for d in districts}
    wanted: list[tuple[str, str, list[District], str, str]] = []
    for username, role, codes, first, last in DEMO_USERS:
        wanted.append((username, role, [by_code[c] for c in codes if c in by_code], first, last))
    for d in districts:
        for i in range(shape.ltos_per_district):
            wanted.append((f"scale-lto-{d.code.lower()}-{i + 1}", Role.LTO, [d], *_split(rng)))
        wanted.append((f"scale-coordinator-{d.code.lower()}", Role.COORDINATOR, [d],
                       *_split(rng)))  # fmt: skip
    for i in range(8):
        wanted.append((f"scale-headoffice-{i + 1}", Role.HEAD_OFFICE, [], *_split(rng)))
    existing = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list(
        "username", flat=True))  # fmt: skip
    _bulk(
        User,
        [
            User(username=u, first_name=f, last_name=la, password=password,
                 is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
            for u, role, _ds, f, la in wanted if u not in existing
        ],
    )  # fmt: skip
    users = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
    have_profile = set(
        ObserverProfile.objects.filter(user__in=users.values()).values_list("user_id", flat=True)
    )
    profiles = _bulk(
        ObserverProfile,
        [
            ObserverProfile(user=users[u], role=role)
            for u, role, _ds, _f, _l in wanted
            if users[u].pk not in have_profile
        ],
    )
    made = {p.user_id: p for p in profiles}
    links = [
        ObserverProfile.districts.through(observerprofile_id=made[users[u].pk].pk, district_id=d.pk)
        for u, _role, ds, _f, _l in wanted
        if users[u].pk in made
        for d in ds
    ]
    _bulk(ObserverProfile.districts.through, links)
    say(f"people: {len(users)} sign-ins (demo password for all), {len(profiles)} new profiles")


def _split(rng: random.Random) -> tuple[str, str]:
    family, given = person(rng).split(" ", 1)
    return given, family


# --- incidents ------------------------------------------------------------------------------------

STATUS_WEIGHTS = {
    "submitted": 30, "in_review": 15, "needs_info": 5, "verified": 25, "escalated": 3,
    "closed": 12, "rejected": 7, "duplicate": 3,
}  # fmt: skip
KIND_WEIGHTS = {"admin_resource": 30, "vote_buying": 25, "campaign_rules": 45}
EVIDENCE_PER_INCIDENT = (0, 0, 0, 1, 1, 2, 3)  # about one file per incident on average


def _incidents(
    election: Election, count: int, rng: random.Random, say: Callable[[str], None]
) -> None:
    districts = list(District.objects.filter(election=election).order_by("pk"))
    lists: dict[int, list[tuple[int, list[int]]]] = {d.pk: [] for d in districts}
    candidates: dict[int, list[int]] = {}
    for pk, list_pk in Candidate.objects.filter(
        party_list__district__election=election
    ).values_list("pk", "party_list"):
        candidates.setdefault(list_pk, []).append(pk)
    for pl in PartyList.objects.filter(district__election=election):
        lists[pl.district_id].append((pl.party_id, candidates.get(pl.pk, [])))
    pecs: dict[int, list[int]] = {d.pk: [] for d in districts}
    for pk, district_id in Commission.objects.filter(election=election, level="PEC").values_list(
        "pk", "district"
    ):
        pecs[district_id].append(pk)
    reporters: dict[int, list[Any]] = {d.pk: [] for d in districts}
    for profile in ObserverProfile.objects.filter(role=Role.LTO).prefetch_related("districts"):
        for d in profile.districts.all():
            if d.pk in reporters:
                reporters[d.pk].append(profile.user_id)
    staff = list(
        ObserverProfile.objects.filter(role__in=[Role.HEAD_OFFICE, Role.LEGAL]).values_list(
            "user_id", flat=True
        )
    )
    party_names = list(
        Party.objects.filter(name__endswith="(scale)").values_list("short_name", flat=True)
    )
    names = list(Candidate.objects.filter(party_list__district__election=election).values_list(
        "full_name", flat=True)[:500])  # fmt: skip
    text = Text(rng, party_names or ["Emgek"], names or ["Асанов Бакыт"])
    counters = dict(
        DistrictIncidentCounter.objects.filter(district__in=districts).values_list(
            "district_id", "last_number"
        )
    )
    start = dt.datetime.combine(election.observation_start, dt.time(8), dt.UTC)
    span = (election.observation_end - election.observation_start).total_seconds()
    statuses, status_w = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    kinds, kind_w = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    now = timezone.now()
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        incidents, events, evidence = [], [], []
        for _ in range(size):
            district = rng.choice(districts)
            counters[district.pk] = counters.get(district.pk, 0) + 1
            number = counters[district.pk]
            occurred = start + dt.timedelta(seconds=rng.random() * span)
            reported = occurred + dt.timedelta(minutes=rng.randint(5, 60 * 48))
            status = rng.choices(statuses, status_w)[0]
            kind = rng.choices(kinds, kind_w)[0]
            party, candidate = None, None
            if lists[district.pk] and rng.random() < 0.7:
                party, on_list = rng.choice(lists[district.pk])
                if on_list and rng.random() < 0.3:
                    candidate = rng.choice(on_list)
            reporter = rng.choice(reporters[district.pk] or staff)
            duplicate_of = None
            if status == "duplicate":
                if incidents:
                    duplicate_of = rng.choice(incidents).pk
                else:
                    status = "rejected"
            incident = Incident(
                id=uuid.uuid4(), ref=f"{district.code}-{number:04d}", number=number,
                election=election, district=district, kind=kind, occurred_at=occurred,
                reported_at=min(reported, now), reported_by_id=reporter,
                location=text.location(),
                pec_id=rng.choice(pecs[district.pk]) if pecs[district.pk] and rng.random() < 0.6
                else None,
                party_id=party, candidate_id=candidate, description=text.description(),
                source=rng.choice(Incident.Source.values),
                witnesses=person(rng) if rng.random() < 0.4 else "",
                details=_details(rng, kind), status=status,
                severity="serious" if rng.random() < 0.1 else "normal",
                assignee_id=rng.choice(staff) if staff and status != "submitted" and rng.random()
                < 0.6 else None,
                duplicate_of_id=duplicate_of, evidence_expected=0,
                fingerprint=hashlib.sha256(str(rng.random()).encode()).hexdigest(),
            )  # fmt: skip
            incidents.append(incident)
            events.append(
                IncidentEvent(incident=incident, at=incident.reported_at, actor_id=reporter,
                              kind="created", to_status="submitted")
            )  # fmt: skip
            if status != "submitted":
                triaged = incident.reported_at + dt.timedelta(hours=2)
                events.append(
                    IncidentEvent(incident=incident, at=triaged, kind="transition",
                                  actor_id=rng.choice(staff) if staff else None,
                                  from_status="submitted", to_status=status)
                )  # fmt: skip
            for _file in range(rng.choice(EVIDENCE_PER_INCIDENT)):
                evidence.append(_evidence(rng, incident, reporter))
        with transaction.atomic():
            _bulk(Incident, incidents)
            _bulk(IncidentEvent, events)
            _bulk(Evidence, evidence)
        done += size
        say(f"incidents: {done}/{count}")
    with transaction.atomic():
        for district_id, last in counters.items():
            DistrictIncidentCounter.objects.update_or_create(
                district_id=district_id, defaults={"last_number": last}
            )


def _evidence(rng: random.Random, incident: Incident, uploader: int) -> Evidence:
    photo = rng.random() < 0.8
    name = f"IMG_{rng.randint(1000, 9999)}.jpg" if photo else f"VID_{rng.randint(100, 999)}.mp4"
    return Evidence(
        incident=incident, file=f"evidence/{incident.pk}/{uuid.uuid4().hex}",
        stripped_file=f"evidence/{incident.pk}/stripped-{uuid.uuid4().hex}",
        location_data="stripped", original_name=name,
        content_type="image/jpeg" if photo else "video/mp4",
        size=rng.randint(200_000, 8_000_000), sha256=uuid.uuid4().hex * 2,
        uploaded_by_id=uploader,
    )  # fmt: skip


def build(
    *, incidents: int, shape: Shape = Shape(), seed: int = 2026,
    say: Callable[[str], None] = lambda _message: None,
) -> Election:  # fmt: skip
    """Make the scale election (once) and add incidents until it has ``incidents``."""
    if settings.PRODUCTION:
        raise RuntimeError("Scale data creates demo sign-ins and never runs in production.")
    election = Election.objects.filter(name=ELECTION_NAME).first()
    if election is None:
        with transaction.atomic():
            election = _reference(shape, random.Random(seed), say)
    have = Incident.objects.filter(election=election).count()
    if have < incidents:
        # a different stream per step, so growing 1,000 -> 100,000 adds new text
        rng = random.Random(seed + have)
        if connection.vendor == "postgresql" and incidents - have >= REBUILD_FROM:
            with transaction.atomic(), _without_search_indexes(say):
                _incidents(election, incidents - have, rng, say)
        else:
            _incidents(election, incidents - have, rng, say)
    return election


REBUILD_FROM = 10_000
"""From this many new incidents, PostgreSQL's trigram indexes are dropped and built again
after the load (in the same transaction): building a GIN index once is many times faster
than updating it row by row."""


@contextmanager
def _without_search_indexes(say: Callable[[str], None]) -> Iterator[None]:
    trigram = [i for i in Incident._meta.indexes if isinstance(i, GinIndex)]
    with connection.schema_editor(atomic=False) as editor:
        for index in trigram:
            editor.remove_index(Incident, index)
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now
    with connection.schema_editor(atomic=False) as editor:
        for index in trigram:
            editor.add_index(Incident, index)
    say(f"trigram indexes built again in {time.perf_counter() - started:.1f} s")
