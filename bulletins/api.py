"""REST API of bulletins (通报): ``/api/v1/bulletins/`` (the archive, read-only) and
``/api/v1/bulletins/{id}/download/?format=docx|pdf|xlsx`` (the file).

The list holds what ``services.visible`` gives the caller: bulletins of their subtree, and
drafts and failed drafts only for analysts (and superusers). A bulletin outside that is not
there (404). Issuing and correcting stay in the web pages and ``make_bulletin``.
"""

from __future__ import annotations

import django_filters
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from stats.targets_api import UnitBriefSerializer

from . import services
from .filters import BulletinFilter
from .models import Bulletin, BulletinKind, BulletinStatus
from .render import FORMATS

FORMAT_ERROR = f"不支持的格式：可用 {'、'.join(FORMATS)}，例如 ?format=docx。"


def _choices_schema(noun: str, choices) -> dict:
    # A plain string, its values described: as an enum it would be named in two components
    # (list and detail) beside the other models' ``kind`` and ``status``, a naming collision.
    return {"type": "string", "description": f"{noun}：" + "、".join(f"{v}（{label}）" for v, label in choices)}


@extend_schema_field(_choices_schema("类别", BulletinKind.choices))
class KindField(serializers.CharField):
    """A bulletin's kind."""


@extend_schema_field(_choices_schema("状态", BulletinStatus.choices))
class StatusField(serializers.CharField):
    """A bulletin's status."""


class BulletinPeriodSerializer(serializers.Serializer):
    start = serializers.DateField(source="period_start")
    end = serializers.DateField(source="period_end")
    label = serializers.CharField(source="period_label")


class BulletinSerializer(serializers.ModelSerializer):
    """A bulletin in the archive: its issue fields and the links to its files, without its
    content (``BulletinDetailSerializer`` adds that)."""

    unit = UnitBriefSerializer(read_only=True)
    kind = KindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    period = BulletinPeriodSerializer(source="*", read_only=True)
    number_label = serializers.CharField(read_only=True, label="期号（2026年第10期；草稿未编号）")
    status = StatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    corrects = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, label="更正的版本（通报 id）")
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = [
            "id", "unit", "kind", "kind_label", "period", "number", "number_label", "revision",
            "status", "status_label", "drafted_at", "issued_at", "issued_by", "corrects",
            "correction_note", "error", "downloads",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {fmt: {"type": "string", "format": "uri"} for fmt in FORMATS},
            "description": "格式 → 下载地址（生成失败的通报没有文件）",
        }
    )
    def get_downloads(self, bulletin: Bulletin) -> dict[str, str]:
        if bulletin.payload is None:
            return {}
        request = self.context.get("request")
        url = reverse("bulletin-download", args=[bulletin.pk], request=request)
        return {fmt: f"{url}?format={fmt}" for fmt in FORMATS}


class BulletinDetailSerializer(BulletinSerializer):
    payload = serializers.JSONField(read_only=True, label="内容（通报的全部数字、表格与文字）")
    changes = serializers.JSONField(read_only=True, label="更正的数字（更正版）")

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "payload", "changes"]
        read_only_fields = fields


class BulletinApiFilter(BulletinFilter):
    """The archive page's filters, and the exact first day of the period."""

    period_start = django_filters.DateFilter(field_name="period_start", label="期间起始日")

    class Meta(BulletinFilter.Meta):
        fields = [*BulletinFilter.Meta.fields, "period_start"]


class FileContentNegotiation(BaseContentNegotiation):
    """For the download: ``?format=`` names the file (docx, pdf, xlsx), not one of DRF's
    renderers (its URL_FORMAT_OVERRIDE would answer 404), and the file is what the client
    asked for whatever its Accept header says. Errors answer in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    retrieve=extend_schema(
        description="One bulletin of the caller's scope with its ``payload`` (the whole document: figures, "
        "tables, summary) and ``changes`` (the figures a corrected revision changed); 404 outside it."
    )
)
class BulletinViewSet(viewsets.ReadOnlyModelViewSet):
    """Bulletins of the caller's subtree (drafts for analysts only), newest period first;
    ``?unit=CODE`` (with its subtree), ``?kind=``, ``?status=``, ``?year=``,
    ``?period_start=YYYY-MM-DD``, ``?date=YYYY-MM-DD`` (a day inside the period). A detail
    adds the bulletin's ``payload`` and ``changes``."""

    queryset = Bulletin.objects.select_related("unit", "issued_by")
    filterset_class = BulletinApiFilter

    def get_queryset(self):
        return services.visible(self.request.user)

    def get_serializer_class(self):
        return BulletinSerializer if self.action == "list" else BulletinDetailSerializer

    def filter_queryset(self, queryset):
        # The list's filters are the list's: a detail or a download finds any bulletin in scope.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, required=True, enum=list(FORMATS), description="文件格式")
        ],
        responses={
            **{(200, mime): OpenApiTypes.BINARY for mime, _ext in FORMATS.values()},
            400: OpenApiResponse(description="不支持的格式"),
            404: OpenApiResponse(description="通报不存在或不在本单位辖区内"),
            409: OpenApiResponse(description="通报生成失败，没有文件"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer],
        content_negotiation_class=FileContentNegotiation,
    )
    def download(self, request, pk=None, format=None):
        """The bulletin's file in ``?format=docx|pdf|xlsx`` (an issued bulletin's is the same
        bytes forever), as an attachment named like the web page's; the download is logged."""
        bulletin = self.get_object()
        fmt = request.query_params.get("format", "")
        if fmt not in FORMATS:
            return Response({"detail": FORMAT_ERROR, "field": "format"}, status=status.HTTP_400_BAD_REQUEST)
        try:
            content = services.file_bytes(bulletin, fmt)
        except services.BulletinError as exc:
            return Response({"detail": str(exc), "field": None}, status=status.HTTP_409_CONFLICT)
        services.record_download(bulletin, fmt, request.user, via="api")
        response = HttpResponse(content, content_type=FORMATS[fmt][0])
        response["Content-Disposition"] = content_disposition_header(True, services.filename(bulletin, fmt))
        return response
