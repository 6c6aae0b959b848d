from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from antifraud.views import healthz
from orgs.forms import LoginForm

admin.site.site_header = "反诈中心 管理后台"
admin.site.site_title = "反诈中心"
admin.site.index_title = "数据维护"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("antifraud.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("cases/", include("cases.urls")),
    path("publicity/", include("publicity.urls")),
    path("warnings/", include("earlywarnings.urls")),
    path("imports/", include("imports.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("audit/", include("audit.urls")),
    path("", include("dashboards.screen_urls")),  # /screen/ (大屏) and /reviewer/ (the reviewer's home)
    path("", include("orgs.urls")),
]
