"""How the API answers a mistake the user can correct, and a record they may not see.

Services raise ``DomainError`` with a Chinese message (and the field it concerns, when
there is one); the API turns it into a 400 with ``{"detail": …, "field": …}``. A 404 says
only "未找到。": Django's own text is English and names the model. Everything else
(validation, 401/403, …) keeps DRF's answer.
"""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from orgs.errors import DomainError


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "field": exc.field}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
