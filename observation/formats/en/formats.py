"""English date formats of Baikoo's lists and pages (read by observation.templatetags.layout)."""

# Django's own names
DATE_FORMAT = "j F Y"
# Baikoo's names: a list shows the year only when it is not this year.
DAY_TIME = "j M, H:i"
DAY_YEAR_TIME = "j M Y, H:i"
DAY = "j M"
DAY_YEAR = "j M Y"
LONG_DATE = "j F Y"
