"""Experimenter views in Django's admin: study settings editable, data read-only.

Participants, their answers and the stimuli they saw can be looked at but not
added, changed or deleted here: the export and the analysis must see what
participants did. A study can be deleted only while nobody has taken part.
"""

from django.contrib import admin
from django.db import models

from studyapp.models import Participant, Response, Stimulus, Study
from studyapp.studies import study_links_refresh

# Help texts for the settings whose model field has none, or that need to say
# when a change takes effect (the models' own texts are shown otherwise).
STUDY_HELP_TEXTS = {
    "title": "shown to participants at the top of every page",
    "is_open": "closed: new participants are turned away; those already in the study can finish",
    "is_pilot": "participants who enrol from now on are marked as pilot data (the export flags "
                "them, the analysis leaves them out unless asked)",
    "completion_code": "shown to participants when they finish (e.g. the code Prolific expects)",
    "redirect_url": "where the finish page's button leads, e.g. Prolific's completion URL",
    "information_sheet": "shown before consent, as plain text (a blank line starts a paragraph); "
                         "empty: the app's default sheet",
    "practice_enabled": "one practice trial before the measured ones (paper 5.1.4); for "
                        "participants who enrol from now on",
    "attention_checks": "catch trials per participant at random positions, asking for a given "
                        "answer and scored in the export (in a pairs study: one clip on both "
                        "sides, expecting no preference); for participants who enrol from now on",
    "compare_factor": "pairs study: the factor whose levels each pair of clips compares",
    "compare_against": "pairs study: the level every pair is against (empty: every pair of "
                       "levels)",
    "min_window_width": "narrowest browser window that may take part, in pixels (0: any)",
    "min_window_height": "lowest browser window that may take part, in pixels (0: any)",
}


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "design", "between_factor", "is_open", "is_pilot",
                    "created_at")
    fieldsets = (
        (None, {"fields": ("slug", "title", "design", "between_factor", "compare_factor",
                           "compare_against", "stimuli_dir", "manifest_sha256",
                           "is_placeholder")}),
        ("Recruitment", {"fields": ("is_open", "is_pilot", "completion_code", "redirect_url")}),
        ("Procedure", {"fields": ("language", "information_sheet", "texts", "practice_enabled",
                                  "require_full_playback",
                                  "breaks_every", "attention_checks")}),
        ("Participants' devices and activity", {
            "fields": ("min_window_width", "min_window_height", "inactive_minutes")}),
    )
    readonly_fields = ("slug", "design", "between_factor", "compare_factor", "compare_against",
                       "stimuli_dir", "manifest_sha256", "is_placeholder")
    # A redirect URL typed without a scheme is Prolific's https one, not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, **kwargs):
        """The change form, with STUDY_HELP_TEXTS under the settings."""
        return super().get_form(request, obj, help_texts=STUDY_HELP_TEXTS, **kwargs)

    def save_model(self, request, obj, form, change):
        """Save, then make nginx's clip links match: a closed study has none."""
        super().save_model(request, obj, form, change)
        study_links_refresh(obj)

    def has_add_permission(self, request):
        """Studies come from a manifest (manage.py build_study), not from an empty form."""
        return False

    def has_delete_permission(self, request, obj=None):
        """No deleting a study someone has taken part in, from its page or by the bulk
        action (which asks this of every study it would delete; the database refuses
        too, as Participant.study is PROTECT)."""
        if obj is not None and obj.participants.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """What deleting ``objs`` takes with it: a study's stimuli go with it, though
        they cannot be deleted on their own."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Stimulus._meta.verbose_name)
        return deleted, counts, perms_needed, protected


class ReadOnlyAdmin(admin.ModelAdmin):
    """Looking only: no add, change or delete (nor the "Delete selected" action)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Stimulus)
class StimulusAdmin(ReadOnlyAdmin):
    list_display = ("stimulus_id", "study", "group", "is_practice")
    list_filter = ("study", "is_practice")
    search_fields = ("stimulus_id",)


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ("code", "study", "group", "stage", "next_trial", "external_pid", "created_at")
    list_filter = ("study", "stage", "group")
    search_fields = ("code", "external_pid")


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("trial", "response_emotion", "intensity", "sync", "naturalness", "answers",
                    "submitted_at")
