"""Demo incidents: the 64 violations of section 8 of the seed report.

The numbers are the seed's: 6 on administrative resources (Emgek 3, Asyl Muras Zhashtary
1, party unknown 2; Bishkek 2, Osh 1, Tokmok 3), 8 on vote buying (Ata-Jurt Kyrgyzstan 2,
Birge-Vmeste 2, Bizdin Kyrgyzstan 1, El Birimdigi 1, Onuguu-Progress 1, Emgek 1; Bishkek
2, Osh 3, Tokmok 3) and 50 on campaign rules (Bishkek 11, Osh 38, Tokmok 1), each party
only in a city where it has a list. Which party stands behind each campaign-rules case is
not in the seed; the split below is made up and plausible. Every description is
synthetic and says so.

Incidents are filed through ``services.incident_file`` with fixed ids (uuid5), so running
``load_demo`` again files nothing new. Head office's triage of them (statuses, questions,
the two escalations to the RRCG) is ``incidents.triage_demo``, run right after.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from incidents import services
from observation.demo import demo_election
from observation.models import District, Party

NAMESPACE = uuid.UUID("6f1e2a0c-5b7d-4c1e-9a53-1d0b8e2f4a10")
CITY = {"BSK": "bishkek", "OSH": "osh", "TKM": "tokmok"}
LTOS = {"BSK": 4, "OSH": 3, "TKM": 1}
UNKNOWN = None

# (district code, party or UNKNOWN, number of incidents)
ADMIN_RESOURCE = [
    ("BSK", "Emgek", 2),
    ("OSH", UNKNOWN, 1),
    ("TKM", "Emgek", 1),
    ("TKM", "Asyl Muras Zhashtary", 1),
    ("TKM", UNKNOWN, 1),
]
VOTE_BUYING = [
    ("BSK", "Onuguu-Progress", 1),
    ("BSK", "Emgek", 1),
    ("OSH", "Ata-Jurt Kyrgyzstan", 2),
    ("OSH", "Bizdin Kyrgyzstan", 1),
    ("TKM", "Birge-Vmeste", 2),
    ("TKM", "El Birimdigi", 1),
]
CAMPAIGN_RULES = [
    ("BSK", "Emgek", 2),
    ("BSK", "Onuguu-Progress", 2),
    ("BSK", "Turan", 1),
    ("BSK", "Bizdin El", 1),
    ("BSK", "Zamandash", 1),
    ("BSK", "Stolitsa (Capital)", 1),
    ("BSK", "Ata-Jurt Kyrgyzstan", 1),
    ("BSK", UNKNOWN, 2),
    ("OSH", "Yntymak", 6),
    ("OSH", "Ata-Jurt Kyrgyzstan", 6),
    ("OSH", "Uluu-Jurt", 5),
    ("OSH", "Bir Bol", 5),
    ("OSH", "Bizdin Kyrgyzstan", 4),
    ("OSH", "Butun Kyrgyzstan", 4),
    ("OSH", "Uluttar Birimdigi", 2),
    ("OSH", "Kelechek-Future", 2),
    ("OSH", "Nur", 1),
    ("OSH", UNKNOWN, 3),
    ("TKM", "Patriot Yntymagy", 1),
]

ADMIN_TYPES = [
    ("committee_heads", "Heads of quarter committees went door to door with lists of voters."),
    ("pressure_on_employees", "School staff were told to attend a rally after lessons."),
    ("state_property", "A district office hall was used for a campaign meeting."),
    ("threats", "Market vendors were told their stalls depend on how they vote."),
]
OFFERS = [
    ("money", "500 som per vote", "Money was offered to voters near the block entrance."),
    ("goods", "food parcel", "Food parcels were handed out with a party leaflet inside."),
    ("services", "free repairs", "Free yard repairs were promised in exchange for votes."),
]
CAMPAIGN_TYPES = [
    ("unmarked_materials", "outdoor", "Posters without the required imprint on a bus stop."),
    ("placement", "outdoor", "Banners were hung on a school fence, where it is not allowed."),
    ("black_pr", "social_network", "A false story about a rival list spread in a group chat."),
    ("unmarked_materials", "print", "Leaflets without the publisher's imprint in letterboxes."),
    ("prohibited_person", "in_person", "A public servant campaigned during working hours."),
    ("foreign_politician_image", "print", "A flyer showed a foreign politician."),
    ("placement", "outdoor", "Campaign stickers on a residential building's entrance door."),
    ("black_pr", "print", "Anonymous leaflets insulting a candidate were left at a bazaar."),
]
PLACES = {
    "BSK": ["Chui avenue", "Alamedin market", "7th microdistrict", "Jal district"],
    "OSH": ["Kelechek quarter", "Jayma bazaar", "Amir Timur street", "Ak-Buura district"],
    "TKM": ["Lenin street", "central market", "Ak-Bashat quarter"],
}

START = dt.date(2021, 6, 21)
DAYS = 14  # 21 June .. 4 July: the observation period


def _cases() -> list[dict]:
    """The 64 cases in a fixed order, each with its own content."""
    cases = []
    for kind, rows in (
        ("admin_resource", ADMIN_RESOURCE),
        ("vote_buying", VOTE_BUYING),
        ("campaign_rules", CAMPAIGN_RULES),
    ):
        for code, party, count in rows:
            for n in range(count):
                cases.append({"kind": kind, "code": code, "party": party, "n": n})
    for index, case in enumerate(cases):
        case["index"] = index
        kind = case["kind"]
        if kind == "admin_resource":
            type_, text = ADMIN_TYPES[index % len(ADMIN_TYPES)]
            case["details"] = {
                "type": type_,
                "official": "",
                "official_position": "Head of quarter committee"
                if type_ == "committee_heads"
                else "",
                "people_affected": 5 + index % 20,
            }
        elif kind == "vote_buying":
            offered, value, text = OFFERS[index % len(OFFERS)]
            case["details"] = {
                "offered": offered,
                "value": value,
                "offered_by": "party_agent" if index % 3 else "unknown",
                "voters_approached": 3 + index % 15,
            }
        else:
            type_, medium, text = CAMPAIGN_TYPES[index % len(CAMPAIGN_TYPES)]
            case["details"] = {"type": type_, "medium": medium}
        case["description"] = f"[Demo data] {text}"
    return cases


def _occurred_at(index: int) -> dt.datetime:
    day = START + dt.timedelta(days=(index * 5) % DAYS)
    moment = dt.datetime.combine(day, dt.time(9 + index % 9, (index * 7) % 60))
    return timezone.make_aware(moment)


def load(stdout: TextIO) -> None:
    """File the seed's incidents, then let head office triage them (issue 5's demo)."""
    load_filing(stdout)
    from incidents import triage_demo

    triage_demo.load(stdout)


def load_filing(stdout: TextIO) -> None:
    """The 64 incidents as the observers filed them (status ``submitted``)."""
    election = demo_election()
    districts = {d.code: d for d in District.objects.filter(election=election)}
    parties = {p.name: p for p in Party.objects.all()}
    User = get_user_model()
    ltos = {u.username: u for u in User.objects.filter(username__startswith="lto-")}
    created = 0
    for case in _cases():
        code = case["code"]
        reporter = ltos[f"lto-{CITY[code]}-{case['index'] % LTOS[code] + 1}"]
        occurred_at = _occurred_at(case["index"])
        place = PLACES[code][case["index"] % len(PLACES[code])]
        incident, is_new = services.incident_file(
            actor=reporter,
            id=uuid.uuid5(NAMESPACE, f"incident-{case['index']}"),
            district=districts[code],
            kind=case["kind"],
            occurred_at=occurred_at,
            location=f"{districts[code].name}, {place}",
            description=case["description"],
            source="direct_observation" if case["index"] % 4 else "witness",
            witnesses="[Demo] A resident (contact withheld)" if case["index"] % 4 == 0 else "",
            party=parties[case["party"]] if case["party"] else None,
            details=case["details"],
            reported_at=occurred_at + dt.timedelta(hours=2),
            is_demo=True,
        )
        created += is_new
    stdout.write(f"incidents: {len(_cases())} demo incidents ({created} new)\n")
