"""Sign a user out after ``SESSION_IDLE_TIMEOUT`` seconds without a request.

The last-seen time is written to the session at most once a minute, so an active user does
not cost a session write per request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

KEY = "_last_seen"
WRITE_EVERY = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(KEY)
            if seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # the API answers 401/403 itself
                messages.info(request, f"{settings.SESSION_IDLE_TIMEOUT // 60} 分钟没有操作，已自动退出，请重新登录。")
                return redirect_to_login(request.get_full_path())
            if seen is None or now - seen >= WRITE_EVERY:
                request.session[KEY] = now
        return self.get_response(request)
