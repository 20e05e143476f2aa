"""Kyrgyz date formats: "2021-жылдын 11-апрели" (the year in the genitive, the month in
the possessive form), abbreviations as "11-апр."; Django's own Kyrgyz formats give the
nominative ("11 Апрель 2021"), which Kyrgyz does not write."""

DAY_TIME = "j-b., H:i"
DAY_YEAR_TIME = "Y-\\ж. j-b., H:i"
DAY = "j-b."
DAY_YEAR = "Y-\\ж. j-b."
LONG_DATE = None  # built from MONTHS_POSSESSIVE below, which no format letter gives
LONG_DATE_PATTERN = "{year}-жылдын {day}-{month}"
MONTHS_POSSESSIVE = {
    1: "январы",
    2: "февралы",
    3: "марты",
    4: "апрели",
    5: "майы",
    6: "июну",
    7: "июлу",
    8: "августу",
    9: "сентябры",
    10: "октябры",
    11: "ноябры",
    12: "декабры",
}
