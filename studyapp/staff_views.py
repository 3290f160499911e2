"""Experimenter pages (staff login): the site root's study list, the live dashboard and the
export download."""

from __future__ import annotations

import io

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from studyapp.export import csv_write, export_table
from studyapp.models import Study
from studyapp.status import STATUSES, minutes, study_summary


def home(request):
    """The site root. Staff get the open studies with their participant and
    dashboard links; anyone else a neutral page that names no study, since a
    study is reached by the link its participants are sent and its slug is not
    advertised (a login redirect would show visitors the admin instead)."""
    if not (request.user.is_active and request.user.is_staff):
        return render(request, "studyapp/message.html", {
            "title": "Online studies",
            "message": "To take part in a study, please follow the link you were given."})
    return render(request, "studyapp/staff/home.html",
                  {"studies": Study.objects.filter(is_open=True).order_by("-created_at")})


@staff_member_required
def studies(request):
    return render(request, "studyapp/staff/studies.html",
                  {"studies": Study.objects.order_by("-created_at")})


@staff_member_required
def dashboard(request, slug):
    study = get_object_or_404(Study, slug=slug)
    summary = study_summary(study)
    return render(request, "studyapp/staff/dashboard.html", {
        "study": study, "s": summary, "statuses": STATUSES,
        "median": minutes(summary["median_completion_s"]),
        "unbalanced": summary["answers_max"] - summary["answers_min"] > 1,
    })


@staff_member_required
def download(request, slug, table):
    study = get_object_or_404(Study, slug=slug)
    include = {"include_bots": request.GET.get("bots") == "1",
               "include_withdrawn": request.GET.get("withdrawn") == "1"}
    buffer = io.StringIO()
    csv_write(buffer, *export_table(study, participants=table == "participants", **include))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-{table}.csv"'
    return response
