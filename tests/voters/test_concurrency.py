"""Two imports of the same file at the same moment (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.voters.conftest import csv_bytes, seed_rows, upload
from voters.models import VoterListSnapshot
from voters.services import voter_snapshot_import


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_take_turns(tecs):
    election = tecs["Osh TEC"].election
    data = csv_bytes(seed_rows())
    reports, failures = [], []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            reports.append(
                voter_snapshot_import(actor=None, file=upload(data), election=election, commit=True)
            )
        except Exception as exc:  # the test reports it below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    assert sorted(r.counts["create"] for r in reports) == [0, 6]
    assert sorted(r.counts["unchanged"] for r in reports) == [0, 6]
    assert VoterListSnapshot.objects.count() == 6
