from django.urls import path
from rest_framework.routers import DefaultRouter

from observation import api_views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

urlpatterns = [path("me/", api_views.me, name="api-me"), *router.urls]
