"""``/api/v1/imports/``: the same intake as the command line and the web page.

``POST`` (multipart: ``kind``, ``file``, optional ``dry_run`` and ``partial``) answers 201
with the finished job when tasks run in-process, or 202 with the queued job when a
Celery worker takes it; ``GET /api/v1/imports/{id}/`` follows it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from imports.engine import ERRORS_KEPT
from imports.kinds.registry import KINDS
from imports.models import ImportJob
from imports.services import import_submit
from orgs.scoping import ScopedViewSetMixin


class ImportPermissions(DjangoModelPermissions):
    """Reading the history needs ``view_importjob``; sending a file ``add_importjob``."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


class ImportJobSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    rows_per_second = serializers.FloatField(read_only=True, allow_null=True)
    error_report_url = serializers.SerializerMethodField()
    errors = serializers.ListField(child=serializers.DictField(), read_only=True,
                                   help_text=f"the first {ERRORS_KEPT} errors: row, column, value, reason")  # fmt: skip

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "kind_display", "file_name", "sha256", "size", "user", "source", "dry_run", "partial",
            "status", "status_display", "finished", "message", "encoding", "rows_read", "created", "updated",
            "unchanged", "refused", "unknown_columns", "warnings", "errors", "error_report_url", "created_at",
            "started_at", "finished_at", "duration_seconds", "rows_per_second",
        ]  # fmt: skip

    def get_error_report_url(self, job) -> str | None:
        if not job.error_report:
            return None
        request = self.context.get("request")
        url = f"/imports/{job.pk}/errors.csv"
        return request.build_absolute_uri(url) if request else url


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """The file, as a multipart part: binary in the schema (drf-spectacular would describe a
    ``FileField`` by the URI it reads back as)."""


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.name, k.label) for k in KINDS.values()])
    file = UploadField()
    dry_run = serializers.BooleanField(default=False)
    partial = serializers.BooleanField(default=False)


class ImportJobViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """Import jobs of the caller's subtree (by the unit of whoever sent them)."""

    queryset = ImportJob.objects.select_related("user")
    serializer_class = ImportJobSerializer
    permission_classes = [ImportPermissions]
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["kind", "status"]

    # Multipart only: a file cannot travel in a urlencoded form (FormParser stays so that such a
    # form is told, in Chinese, that its file is missing, rather than answered 415).
    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, 202: ImportJobSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        job = import_submit(
            kind=data["kind"], file_name=data["file"].name, data=data["file"], user=request.user,
            source="api", dry_run=data["dry_run"], partial=data["partial"],
        )  # fmt: skip
        return Response(self._after_commit(job), status=status.HTTP_201_CREATED if job.is_finished else 202)

    def _after_commit(self, job: ImportJob) -> dict:
        job.refresh_from_db()  # in-process tasks ran when the job was committed
        return ImportJobSerializer(job, context=self.get_serializer_context()).data
