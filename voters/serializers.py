from __future__ import annotations

from rest_framework import serializers

from voters.models import AGE_FIELDS, VoterListSnapshot


class VoterSnapshotSerializer(serializers.ModelSerializer):
    """A voter-list snapshot, field names as in docs/api.md. Validation beyond types
    (the sums, TEC or PEC, one per stage) is the service's, reported on the field."""

    class Meta:
        model = VoterListSnapshot
        fields = ["id", "commission", "stage", "as_of", "total", "male", "female", *AGE_FIELDS]
        # One snapshot per commission and stage is checked by voter_snapshot_save, which
        # names the field; DRF's generic unique-together message would not.
        validators: list = []
