"""Demo data of observation: the 2021 repeat elections of the seed report.

Numbers come from the 2021 preliminary report of the Common Cause Public Foundation; names
of people other than public officials named there are synthetic and marked as demo data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model

from observation.kernel.roles import Role
from observation.models import (
    CalendarEntry,
    Candidate,
    District,
    Election,
    ObserverProfile,
    Party,
    PartyList,
    PartyMeeting,
)

ELECTION = {
    "name": "Repeat elections of deputies to the city keneshes of Bishkek, Osh and Tokmok",
    "election_day": dt.date(2021, 7, 11),
    "kind": Election.Kind.REPEAT_LOCAL,
    "observation_start": dt.date(2021, 6, 21),
    "observation_end": dt.date(2021, 7, 4),
}

# (code, name, mandates)
DISTRICTS = [("BSK", "Bishkek", 45), ("OSH", "Osh", 45), ("TKM", "Tokmok", 31)]

# name -> short name; the spelling follows the seed's lists of registered parties.
PARTIES = {
    "Emgek": "Emgek",
    "Onuguu-Progress": "Onuguu",
    "Turan": "Turan",
    "Bizdin El": "Bizdin El",
    "Zamandash": "Zamandash",
    "Stolitsa (Capital)": "Stolitsa",
    "Green Party": "Greens",
    "Yntymak": "Yntymak",
    "Bizdin Kyrgyzstan": "Bizdin KG",
    "Social Democrats": "SD",
    "Reform": "Reform",
    "Strength in Unity": "Strength",
    "Kelechek-Future": "Kelechek",
    "Ata-Jurt Kyrgyzstan": "Ata-Jurt",
    "Ishenim": "Ishenim",
    "Zhany Mezgil": "Zhany Mezgil",
    "Uluu-Jurt": "Uluu-Jurt",
    "Aikol Kyrgyzstan": "Aikol",
    "Bir Bol": "Bir Bol",
    "Butun Kyrgyzstan": "Butun",
    "Uluttar Birimdigi": "Uluttar",
    "Nur": "Nur",
    "El Birimdigi": "El Birimdigi",
    "Birge-Vmeste": "Birge",
    "Patriot Yntymagy": "Patriot",
    "Asyl Muras Zhashtary": "Asyl Muras",
}

LISTS = {
    "BSK": [
        "Emgek", "Onuguu-Progress", "Turan", "Bizdin El", "Zamandash", "Stolitsa (Capital)",
        "Green Party", "Yntymak", "Bizdin Kyrgyzstan", "Social Democrats", "Reform",
        "Strength in Unity", "Kelechek-Future", "Ata-Jurt Kyrgyzstan", "Ishenim",
        "Zhany Mezgil", "Uluu-Jurt", "Aikol Kyrgyzstan",
    ],
    "OSH": [
        "Yntymak", "Uluu-Jurt", "Bir Bol", "Bizdin Kyrgyzstan", "Butun Kyrgyzstan",
        "Ata-Jurt Kyrgyzstan", "Uluttar Birimdigi", "Kelechek-Future", "Nur",
    ],
    "TKM": [
        "El Birimdigi", "Birge-Vmeste", "Emgek", "Patriot Yntymagy", "Asyl Muras Zhashtary",
        "Ata-Jurt Kyrgyzstan",
    ],
}  # fmt: skip

# Table 3 of the seed, per city: registered candidates, of them male, female; and the
# candidates the TEC denied registration (given for Bishkek only: 1,371 nominated,
# 1,314 registered, 57 denied; in Osh and Tokmok every nominee is taken as registered).
CANDIDATES = {
    "BSK": {"registered": 1314, "male": 798, "female": 516, "denied": 57},
    "OSH": {"registered": 691, "male": 440, "female": 251, "denied": 0},
    "TKM": {"registered": 354, "male": 221, "female": 133, "denied": 0},
}
DENIAL_REASONS = [
    "Demo: a court found the candidate broke the law in the elections of 11 April 2021.",
    "Demo: the documents required for registration were incomplete.",
    "Demo: the candidate was also nominated on another party's list.",
]

# The five meetings of 2 June 2021 in Bishkek (seed §7); the wording is ours.
MEETING_DATE = dt.date(2021, 6, 2)
_AWARENESS = (
    "Voters know little about the repeat elections of 11 July, and the state bodies "
    "responsible do little to inform them. The party expects a record-low turnout: the "
    "COVID-19 situation, the heat, the holiday season and fatigue from one election after "
    "another will keep people at home."
)
_ONLINE_ONLY = (
    "The party prints no campaign materials and rents no banners: it campaigns only on "
    "social networks."
)
_BLACK_PR = 'There is a great deal of "black PR" against the party and its candidates.'
_FUND_COSTS = (
    "The party doubts the election-fund reports of some parties, which declare rented "
    "advertising space at about a tenth of its market price."
)
# Themes as the seed groups them: every party met spoke of poorly informed voters and a
# low turnout; online-only campaigning, campaign-fund doubts and black PR by the parties
# the seed names. The seed pins the misuse of administrative resources on no named party
# ("some parties"), so no meeting here carries it: the demo's narrative tells it.
_AWARENESS_THEMES = ["voter_awareness", "low_turnout"]
PARTY_MEETINGS = [
    # (party, recorded by, concerns, themes)
    ("Turan", "lto-bishkek-1", [_AWARENESS, _ONLINE_ONLY],
     [*_AWARENESS_THEMES, "online_campaigning"]),
    ("Social Democrats", "lto-bishkek-2", [_AWARENESS, _FUND_COSTS],
     [*_AWARENESS_THEMES, "campaign_finance"]),
    ("Emgek", "lto-bishkek-3", [_AWARENESS, _BLACK_PR], [*_AWARENESS_THEMES, "black_pr"]),
    ("Stolitsa (Capital)", "lto-bishkek-4", [_AWARENESS, _ONLINE_ONLY, _BLACK_PR],
     [*_AWARENESS_THEMES, "online_campaigning", "black_pr"]),
    ("Ata-Jurt Kyrgyzstan", "lto-bishkek-1", [_AWARENESS, _BLACK_PR],
     [*_AWARENESS_THEMES, "black_pr"]),
]  # fmt: skip

# The election's calendar (seed §3 and §6); the labels are ours.
CALENDAR = [
    # (date, time, kind, label, reference)
    (dt.date(2021, 5, 27), None, "called", "The President called the repeat elections",
     "Decree No. 231 of 27 May 2021"),
    (dt.date(2021, 5, 28), None, "calendar_plan",
     "The CEC approved the calendar plan of the repeat elections", ""),
    (dt.date(2021, 6, 9), None, "voter_list_preliminary",
     "Preliminary voter list published on the Tizme portal", ""),
    (dt.date(2021, 6, 13), None, "nominations_open", "Parties begin nominating their lists", ""),
    (dt.date(2021, 6, 20), None, "lists_closed", "Registration of party lists ends", ""),
    (dt.date(2021, 6, 20), None, "voter_list_control", "Control voter list published", ""),
    (dt.date(2021, 6, 20), None, "campaign_start", "The campaign opens", ""),
    (dt.date(2021, 7, 2), None, "voter_list_corrections_end",
     "Last day for voters to ask for corrections to the list", ""),
    (dt.date(2021, 7, 9), None, "voter_list_final", "Final voter list published", ""),
    (dt.date(2021, 7, 10), dt.time(8, 0), "campaign_end", "The campaign closes", ""),
    (dt.date(2021, 7, 10), None, "silence_day",
     "Day of silence; voting outside the polling stations for those who asked", ""),
    (dt.date(2021, 7, 11), None, "election_day", "Repeat elections in the three cities", ""),
]  # fmt: skip

# (username, role, district codes, first name, last name)
USERS = [
    *[(f"lto-bishkek-{i}", Role.LTO, ["BSK"], "Bishkek", f"Observer {i}") for i in range(1, 5)],
    *[(f"lto-osh-{i}", Role.LTO, ["OSH"], "Osh", f"Observer {i}") for i in range(1, 4)],
    ("lto-tokmok-1", Role.LTO, ["TKM"], "Tokmok", "Observer 1"),
    ("coordinator-bishkek", Role.COORDINATOR, ["BSK"], "Bishkek", "Coordinator"),
    ("headoffice", Role.HEAD_OFFICE, [], "Head", "Office"),
    ("legal", Role.LEGAL, [], "Legal", "Expert"),
    ("analyst", Role.ANALYST, [], "Data", "Analyst"),
    ("admin", Role.ADMIN, [], "System", "Administrator"),
]


def demo_election() -> Election:
    return Election.objects.get(name=ELECTION["name"], election_day=ELECTION["election_day"])


def load(stdout: TextIO) -> None:
    election, _ = Election.objects.update_or_create(
        name=ELECTION["name"], election_day=ELECTION["election_day"], defaults=ELECTION
    )
    districts = {}
    for code, name, mandates in DISTRICTS:
        districts[code], _ = District.objects.update_or_create(
            election=election,
            code=code,
            defaults={"name": name, "mandates": mandates, "threshold_percent": Decimal("7.00")},
        )
    parties = {}
    for name, short in PARTIES.items():
        parties[name], _ = Party.objects.update_or_create(name=name, defaults={"short_name": short})
    candidates = 0
    for code in LISTS:
        for plan in candidate_plan(code):
            party_list, _ = PartyList.objects.update_or_create(
                party=parties[plan.party],
                district=districts[code],
                defaults={"nominated_count": plan.nominated},
            )
            candidates += _load_candidates(party_list, plan)

    User = get_user_model()
    for username, role, codes, first, last in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": role == Role.ADMIN,
                      "is_superuser": role == Role.ADMIN},
        )  # fmt: skip
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        profile, _ = ObserverProfile.objects.update_or_create(user=user, defaults={"role": role})
        profile.districts.set([districts[c] for c in codes])
    for when, time, kind, label, reference in CALENDAR:
        CalendarEntry.objects.update_or_create(
            election=election,
            kind=kind,
            defaults={"date": when, "time": time, "label": label, "reference": reference},
        )
    for party, username, concerns, themes in PARTY_MEETINGS:
        PartyMeeting.objects.update_or_create(
            party=parties[party],
            district=districts["BSK"],
            date=MEETING_DATE,
            defaults={
                "attendees": "Representatives of the party's Bishkek headquarters (demo)",
                "concerns": "\n\n".join(concerns),
                "themes": themes,
                "recorded_by": User.objects.get(username=username),
            },
        )
    stdout.write(
        f"observation: {len(DISTRICTS)} districts, {len(PARTIES)} parties, "
        f"{sum(map(len, LISTS.values()))} party lists, {candidates} candidates, "
        f"{len(PARTY_MEETINGS)} party meetings\n"
        f"Demo sign-ins (password {settings.DEMO_PASSWORD!r}): "
        + ", ".join(username for username, *_ in USERS)
    )


# --- Candidates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPlan:
    """The demo candidates of one party list: how many, of which gender and status."""

    code: str
    party: str
    registered: int
    female: int
    denied: int

    @property
    def nominated(self) -> int:
        return self.registered + self.denied


def split(total: int, weights: list[int]) -> list[int]:
    """``total`` shared in proportion to ``weights`` (largest remainder; ties go to the
    earlier share), so the parts are whole numbers that add up to ``total`` exactly."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def candidate_plan(code: str) -> list[ListPlan]:
    """How the city's Table 3 figures are shared among its lists: list sizes vary by a
    fixed pattern (no randomness), genders and denials are shared in proportion."""
    names = LISTS[code]
    figures = CANDIDATES[code]
    sizes = split(figures["registered"], [20 + (i * 7) % 11 for i in range(len(names))])
    female = split(figures["female"], sizes)
    denied = split(figures["denied"], sizes)
    return [ListPlan(code, name, sizes[i], female[i], denied[i]) for i, name in enumerate(names)]


def _spread(count: int, length: int) -> set[int]:
    """``count`` of the indexes 0..length-1, evenly spread."""
    return {(k * length) // count for k in range(count)} if count else set()


def demo_candidates(plan: ListPlan, party_list: PartyList) -> list[Candidate]:
    short = PARTIES[plan.party].replace(" ", "")
    denied_at = {plan.nominated - 1 - i for i in _spread(plan.denied, plan.nominated)}
    female_at = _spread(plan.female, plan.registered)
    candidates, registered_seen, denied_seen = [], 0, 0
    for index in range(plan.nominated):
        position = index + 1
        if index in denied_at:
            gender = "M" if denied_seen % 2 == 0 else "F"
            status = Candidate.Status.DENIED
            reason = DENIAL_REASONS[denied_seen % len(DENIAL_REASONS)]
            denied_seen += 1
        else:
            gender = "F" if registered_seen in female_at else "M"
            status, reason = Candidate.Status.REGISTERED, ""
            registered_seen += 1
        candidates.append(
            Candidate(
                party_list=party_list,
                full_name=f"Demo Candidate {plan.code}-{short}-{position}",
                gender=gender,
                position=position,
                status=status,
                denial_reason=reason,
                is_demo=True,
            )
        )
    return candidates


def _load_candidates(party_list: PartyList, plan: ListPlan) -> int:
    # Upsert by (list, position): a second run rewrites the same rows, and a run after a
    # demo candidate was edited puts it back. Bulk, because there are 2,416 of them.
    candidates = demo_candidates(plan, party_list)
    Candidate.objects.bulk_create(
        candidates,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["party_list", "position"],
        update_fields=["full_name", "gender", "status", "denial_reason", "is_demo"],
    )
    Candidate.objects.filter(
        party_list=party_list, is_demo=True, position__gt=plan.nominated
    ).delete()
    return len(candidates)
