"""Pages of bulletins: the archive, one bulletin (preview, issue, correct, its files and
who downloaded them), drafting by hand, and the download log.

Reads go through ``services.visible(user)``: a bulletin outside the user's subtree, or a
draft for someone who does not issue, is a 404. Writes go through ``services``.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from orgs.pages import PAGE_SIZE, compact_filter_form
from orgs.roles import Role

from . import services
from .filters import BulletinFilter
from .forms import CorrectForm, DraftForm
from .models import Bulletin, BulletinDownload, BulletinStatus
from .render import FORMATS
from .render.html import document_html


def issues_bulletins(user) -> bool:
    """Analysts (and superusers) draft, issue and correct."""
    return user.is_superuser or getattr(user, "role", None) == Role.ANALYST


def reads_download_log(user) -> bool:
    return issues_bulletins(user) or getattr(user, "role", None) == Role.LEADER


def attachment(content: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[fmt][0])
    # An ASCII name for old clients, the Chinese one (RFC 5987) for everyone else.
    response["Content-Disposition"] = f"attachment; filename=\"bulletin.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def bulletin_list(request):
    archive = BulletinFilter(request.GET, queryset=services.visible(request.user))
    compact_filter_form(archive.form, user=request.user)
    page = Paginator(archive.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": archive.form,
        "page": page,
        "formats": FORMATS,
        "filtering": any(value for key, value in request.GET.items() if key != "page"),
        "can_issue": issues_bulletins(request.user),
        "failed": archive.qs.filter(status=BulletinStatus.FAILED).count() if issues_bulletins(request.user) else 0,
        "can_read_log": reads_download_log(request.user),
    }
    return render(request, "bulletins/bulletin_list.html", context)


def _visible(request, pk) -> Bulletin:
    return get_object_or_404(services.visible(request.user).select_related("corrects"), pk=pk)


def _preview(bulletin: Bulletin) -> str | None:
    """The document as HTML for the page; a frozen one's is kept a day (drawing its charts
    takes about a second)."""
    if bulletin.payload is None:
        return None
    if not bulletin.is_frozen:
        return document_html(services.document(bulletin))
    key = f"bulletin-preview:{bulletin.pk}:{bulletin.status}:{bulletin.issued_at.timestamp()}"
    return cache.get_or_set(key, lambda: document_html(services.document(bulletin)), 24 * 3600)


@login_required
def bulletin_detail(request, pk):
    bulletin = _visible(request, pk)
    preview = _preview(bulletin)
    revisions = services.visible(request.user).filter(
        unit_id=bulletin.unit_id, kind=bulletin.kind, period_start=bulletin.period_start
    )
    context = {
        "bulletin": bulletin,
        "preview": mark_safe(preview) if preview else None,  # our template, autoescaped
        "revisions": revisions.order_by("revision"),
        "formats": FORMATS,
        "can_issue": services.can_issue(request.user, bulletin),
        "correct_form": CorrectForm(),
        "pending_correction": Bulletin.objects.filter(corrects=bulletin).first(),
        "downloads": bulletin.downloads.select_related("user")[:20] if reads_download_log(request.user) else None,
    }
    return render(request, "bulletins/bulletin_detail.html", context)


@login_required
def bulletin_download(request, pk, fmt):
    bulletin = _visible(request, pk)
    if fmt not in FORMATS:
        raise Http404("没有这种格式。")
    try:
        content = services.file_bytes(bulletin, fmt)
    except services.BulletinError as exc:
        messages.error(request, str(exc))
        return redirect("bulletin_detail", pk=bulletin.pk)
    services.record_download(bulletin, fmt, request.user)
    return attachment(content, services.filename(bulletin, fmt), fmt)


def _issuable(request, pk) -> Bulletin:
    bulletin = _visible(request, pk)
    if not services.can_issue(request.user, bulletin):
        raise PermissionDenied("只有本级或上级的研判员可以签发、更正通报。")
    return bulletin


@login_required
@require_POST
def bulletin_issue(request, pk):
    bulletin = _issuable(request, pk)
    try:
        bulletin = services.issue(bulletin, user=request.user)
    except services.BulletinError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已签发：{bulletin.number_label}。签发后内容冻结，不再随数据变化。")
    return redirect("bulletin_detail", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_issue_many(request):
    """签发所选: issue the ticked drafts of the archive page at once (a month's stations)."""
    if not issues_bulletins(request.user):
        raise PermissionDenied("只有研判员可以签发通报。")
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    chosen = services.visible(request.user).filter(pk__in=ids, status=BulletinStatus.DRAFT).order_by("unit__path")
    issued, refused = [], []
    for bulletin in chosen:
        try:
            if not services.can_issue(request.user, bulletin):
                raise services.BulletinError("只有本级或上级的研判员可以签发")
            issued.append(services.issue(bulletin, user=request.user))
        except services.BulletinError as exc:
            refused.append(f"{bulletin}：{exc}")
    if issued:
        messages.success(request, f"已签发 {len(issued)} 份通报。")
    for reason in refused:
        messages.error(request, reason)
    if not issued and not refused:
        messages.info(request, "没有选中可签发的草稿。")
    return redirect(request.POST.get("next") or "bulletin_list")


@login_required
@require_POST
def bulletin_redraft(request, pk):
    bulletin = _issuable(request, pk)
    try:
        services.redraft(bulletin, user=request.user)
    except services.BulletinError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已按最新数据重新生成草稿。")
    return redirect("bulletin_detail", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_correct(request, pk):
    bulletin = _issuable(request, pk)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "更正说明不能超过1000字。")
        return redirect("bulletin_detail", pk=bulletin.pk)
    try:
        revision = services.correct(bulletin, user=request.user, note=form.cleaned_data["note"])
    except services.BulletinError as exc:
        messages.error(request, str(exc))
        return redirect("bulletin_detail", pk=bulletin.pk)
    messages.success(
        request, f"已生成更正版草稿（第{revision.revision}版），{len(revision.changes)}项数字有变化；核对后请签发。"
    )
    return redirect("bulletin_detail", pk=revision.pk)


@login_required
def bulletin_new(request):
    if not issues_bulletins(request.user):
        raise PermissionDenied("只有研判员可以起草通报。")
    form = DraftForm(request.POST or None, user=request.user, initial={"unit": getattr(request.user.unit, "code", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin, created = services.draft(data["unit"], data["kind"], data["date"], user=request.user)
        except services.BulletinError as exc:
            form.add_error("date", str(exc))
        else:
            if bulletin.status == BulletinStatus.FAILED:
                messages.error(request, f"起草失败：{bulletin.error}")
            elif not created:
                messages.info(request, "这一期的通报已经有了，已为你打开。")
            return redirect("bulletin_detail", pk=bulletin.pk)
    return render(request, "bulletins/bulletin_new.html", {"form": form})


@login_required
def download_log(request):
    if not reads_download_log(request.user):
        raise PermissionDenied("下载记录仅研判员和局领导可查看。")
    downloads = BulletinDownload.objects.for_user(request.user).select_related("bulletin__unit", "user")
    page = Paginator(downloads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "bulletins/download_log.html", {"page": page})
