"""Settings of the filing bench's server: the project's own, as production runs them
(DEBUG off, so no query log is kept), plus the bench-only app and its URLs. The database
comes from DATABASE_URL, which the bench points at its throwaway database."""

import warnings

from observation.config.settings import *  # noqa: F403

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "bench.filing_support"]  # noqa: F405
ROOT_URLCONF = "bench.filing_support.urls"
# Requests that are refused are counted by the bench; the server need not log each one.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "ERROR"}}  # noqa: F405

# No collected static files in a throwaway run; WhiteNoise would warn about it each start.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
