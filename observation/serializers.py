from __future__ import annotations

from rest_framework import serializers

from observation.models import District


class MeDistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "election", "name", "code"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    districts = MeDistrictSerializer(many=True)
