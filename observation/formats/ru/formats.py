"""Russian date formats: month abbreviations in lower case ("6 дек"), full months in the
genitive ("6 декабря 2021 г."), as Russian writes them."""

DATE_FORMAT = "j E Y г."
DATETIME_FORMAT = "j E Y г. G:i"
DAY_TIME = "j b, H:i"
DAY_YEAR_TIME = "j b Y, H:i"
DAY = "j b"
DAY_YEAR = "j b Y"
LONG_DATE = "j E Y г."
