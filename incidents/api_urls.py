from rest_framework.routers import DefaultRouter

from incidents.api.filing import IncidentViewSet
from incidents.api.triage import EscalationViewSet, IncidentTriageViewSet, TriageQueueViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("incidents", IncidentViewSet, basename="incident")
# triage and escalation: actions on /incidents/{id}/…, the queue, escalations
router.register("incidents", IncidentTriageViewSet, basename="incident-triage")
router.register("triage-queue", TriageQueueViewSet, basename="triage-queue")
router.register("escalations", EscalationViewSet, basename="escalation")

urlpatterns = router.urls
