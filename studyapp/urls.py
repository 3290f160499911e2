from django.contrib import admin
from django.urls import include, path, re_path

from studyapp import staff_views, views

participant_urls = [
    path("", views.entry, name="entry"),
    path("resume/", views.resume, name="resume"),
    path("consent/", views.consent, name="consent"),
    path("about-you/", views.about_you, name="about_you"),
    path("instructions/", views.instructions, name="instructions"),
    path("trial/", views.trial, name="trial"),
    path("answer/", views.answer, name="answer"),
    path("pause/", views.pause, name="pause"),
    path("done/", views.done, name="done"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("withdrawn/", views.withdrawn, name="withdrawn"),
    path("declined/", views.declined, name="declined"),
    re_path(r"^clip/(?P<name>[0-9a-f]{32})\.(?P<kind>mp4|png)$", views.stimulus_file,
            name="stimulus_file"),
]

staff_urls = [
    path("", staff_views.studies, name="studies"),
    path("<slug:slug>/", staff_views.dashboard, name="dashboard"),
    re_path(r"^(?P<slug>[-\w]+)/(?P<table>responses|participants)\.csv$", staff_views.download,
            name="download"),
]

urlpatterns = [
    path("", staff_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("staff/", include((staff_urls, "staff"))),
    path("s/<slug:slug>/", include((participant_urls, "studyapp"))),
]
