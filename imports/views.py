"""The import page: upload with a progress bar, each job's result, the history."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from imports.forms import ImportForm
from imports.kinds.registry import KINDS
from imports.models import ImportJob
from imports.services import import_progress, import_submit, template_csv
from orgs.errors import DomainError
from orgs.pages import add_domain_error


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def import_list(request):
    can_upload = request.user.has_perm("imports.add_importjob")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_submit(
                    kind=form.cleaned_data["kind"], file_name=upload.name, data=upload, user=request.user,
                    source="web", dry_run=form.cleaned_data["dry_run"], partial=form.cleaned_data["partial"],
                    progress_token=form.cleaned_data["progress_token"],
                )  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                url = reverse("import_detail", args=[job.pk])
                if _wants_json(request):
                    return JsonResponse({"id": job.pk, "url": url})
                return redirect(url)
        if _wants_json(request):
            return JsonResponse({"errors": [str(e) for errors in form.errors.values() for e in errors]}, status=400)
    jobs = ImportJob.objects.for_user(request.user).select_related("user")
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(
        request, "imports/import_list.html",
        {"form": form, "page": page, "can_upload": can_upload, "kinds": KINDS.values()},
    )  # fmt: skip


def _job_for(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.for_user(request.user).select_related("user"), pk=pk)


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def import_detail(request, pk: int):
    job = _job_for(request, pk)
    kind = KINDS[job.kind]
    return render(request, "imports/import_detail.html", {"job": job, "kind": kind, "progress": import_progress(job)})


@require_GET
@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def import_status(request, pk: int):
    return JsonResponse(import_progress(_job_for(request, pk)))


@require_GET
@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def import_progress_by_token(request, token: str):
    """Progress of the upload still in flight (the browser knows its token, not yet the job)."""
    job = ImportJob.objects.for_user(request.user).filter(progress_token=token).first()
    if job is None:
        return JsonResponse({"phase": "upload", "finished": False})
    return JsonResponse(import_progress(job))


def _download_name(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def import_error_report(request, pk: int):
    job = _job_for(request, pk)
    if not job.error_report:
        raise Http404("这次导入没有错误报告")
    response = FileResponse(job.error_report.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _download_name(f"导入错误_{job.pk}_{job.file_name}.csv")
    return response


@login_required
@permission_required("imports.view_importjob", raise_exception=True)
def import_template(request, kind: str):
    if kind not in KINDS:
        raise Http404("未知的数据类型")
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _download_name(f"{KINDS[kind].label}_导入模板.csv")
    return response
