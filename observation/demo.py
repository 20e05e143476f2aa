"""Demo data of observation: the 2021 repeat elections of the seed report.

Numbers come from the seed (../shared/seed); names of people other than public officials
named there are synthetic and marked as demo data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model

from observation.models import District, Election, ObserverProfile, Party, PartyList
from observation.roles import Role

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
    for code, names in LISTS.items():
        for name in names:
            PartyList.objects.get_or_create(party=parties[name], district=districts[code])

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
    stdout.write(
        f"observation: {len(DISTRICTS)} districts, {len(PARTIES)} parties, "
        f"{sum(map(len, LISTS.values()))} party lists\n"
        f"Demo sign-ins (password {settings.DEMO_PASSWORD!r}): "
        + ", ".join(username for username, *_ in USERS)
    )
