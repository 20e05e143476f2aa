from django.urls import path
from rest_framework.routers import DefaultRouter

from observation import api_views, import_api, reference_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for prefix, viewset, basename in reference_api.ROUTES:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("me/", api_views.me, name="api-me"),
    # Before the router, whose candidates/<pk>/ would otherwise take "import" for an id.
    path("candidates/import/", import_api.candidates_import, name="api-candidate-import"),
    *router.urls,
]
