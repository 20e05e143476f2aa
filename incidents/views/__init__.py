"""Pages of incidents: filing by observers (``filing``), head office's triage (``triage``)."""
