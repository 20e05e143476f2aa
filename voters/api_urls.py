from rest_framework.routers import DefaultRouter

from voters import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("voter-snapshots", api.VoterSnapshotViewSet, basename="voter-snapshot")

urlpatterns = router.urls
