from rest_framework.routers import DefaultRouter

from reports import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("reports", api.ReportViewSet, basename="report")
router.register("report-exports", api.ExportJobViewSet, basename="report-export")
router.register(
    "report-recommendations", api.RecommendationViewSet, basename="report-recommendation"
)
router.register("report-abbreviations", api.AbbreviationViewSet, basename="report-abbreviation")

router.register("report-figures", api.ContextFigureViewSet, basename="report-figure")
router.register("report-images", api.SectionImageViewSet, basename="report-image")

urlpatterns = router.urls
