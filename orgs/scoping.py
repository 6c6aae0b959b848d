"""Scope applied once: the view mixin and the base API viewset every app builds on.

Both read through ``Model.objects.for_user(user)``, so a row outside the user's
subtree is simply not there: lists omit it and details answer 404 (never 403, which
would confirm that it exists).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from rest_framework import viewsets


class ScopedViewMixin(LoginRequiredMixin):
    """For class-based HTML views over a model with a scoped QuerySet."""

    model = None

    def get_queryset(self):
        return self.model._default_manager.for_user(self.request.user)


class ScopedViewSetMixin:
    """For DRF viewsets: ``queryset`` is narrowed to the requesting user's subtree."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
