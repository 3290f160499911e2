from django.contrib import admin
from django.urls import include, path

from studyapp import views

participant_urls = [
    path("", views.entry, name="entry"),
    path("consent/", views.consent, name="consent"),
    path("about-you/", views.about_you, name="about_you"),
    path("instructions/", views.instructions, name="instructions"),
    path("trial/", views.trial, name="trial"),
    path("answer/", views.answer, name="answer"),
    path("done/", views.done, name="done"),
    path("declined/", views.declined, name="declined"),
    path("clip/<int:pk>.<str:kind>", views.stimulus_file, name="stimulus_file"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("s/<slug:slug>/", include((participant_urls, "studyapp"))),
]
