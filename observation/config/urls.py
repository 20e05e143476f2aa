"""Root URLs. Apps are included by dotted path, so this module imports none of them
(docs/architecture.md)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from observation import account_api, account_views, views

APPS = ("observation", "commissions", "voters", "incidents", "reports")

api_v1 = [
    path("auth/token/", account_api.obtain_token, name="api-token"),
    path("auth/logout/", account_api.logout, name="api-logout"),
]
api_v1 += [path("", include(f"{app}.api_urls")) for app in APPS]

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/second-factor/", account_views.second_factor, name="second-factor"),
    path(
        "accounts/second-factor/recovery-codes/",
        account_views.recovery_codes,
        name="recovery-codes",
    ),
    path("accounts/password/", account_views.password_change, name="password-change"),
    path("accounts/locks/", account_views.account_locks, name="account-locks"),
    path("audit/", account_views.audit_trail, name="audit-trail"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves the page's script as a file, as the CSP requires.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("observation.page_urls")),
]
urlpatterns += [path("", include(f"{app}.urls")) for app in APPS if app != "observation"]

# The API answers a bad request (a body over DATA_UPLOAD_MAX_MEMORY_SIZE…) in JSON.
handler400 = "observation.kernel.api.bad_request"
handler403 = "observation.kernel.errors.permission_denied"
handler404 = "observation.kernel.errors.page_not_found"
handler500 = "observation.kernel.errors.server_error"
