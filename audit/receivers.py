"""Sign-ins, failed sign-ins, lockouts and sign-outs into the audit log."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.log import record
from audit.middleware import KEY as LAST_SEEN
from audit.models import Act


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    record(Act.LOGIN, request=request, user=user)
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())  # the idle clock starts now, saved with the login


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Act.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in ``credentials``; only the name is kept.
    username = str(credentials.get("username", ""))
    record(Act.LOGIN_FAILED, request=request, user=_existing(username), username=username)


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record(Act.LOCKED_OUT, request=request, user=_existing(username or ""), username=username or "")


def _existing(username: str):
    """The account a failed sign-in named, if there is one (the audit page shows its unit)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first() if username else None
