from rest_framework.routers import DefaultRouter

from commissions import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("commissions", api.CommissionViewSet, basename="commission")
router.register("commission-members", api.CommissionMemberViewSet, basename="commission-member")
router.register("commission-meetings", api.CommissionMeetingViewSet, basename="commission-meeting")
router.register(
    "commission-decisions", api.CommissionDecisionViewSet, basename="commission-decision"
)
router.register("complaints", api.ComplaintViewSet, basename="complaint")

urlpatterns = router.urls
