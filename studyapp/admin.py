"""Experimenter views in Django's admin: study settings editable, data read-only."""

from django.contrib import admin

from studyapp.models import Participant, Response, Stimulus, Study


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "design", "between_factor", "is_open", "created_at")
    fields = ("slug", "title", "design", "between_factor", "stimuli_dir", "manifest_sha256",
              "is_placeholder", "is_open", "completion_code", "redirect_url",
              "require_full_playback", "information_sheet")
    readonly_fields = ("slug", "design", "between_factor", "stimuli_dir", "manifest_sha256",
                       "is_placeholder")


@admin.register(Stimulus)
class StimulusAdmin(admin.ModelAdmin):
    list_display = ("stimulus_id", "study", "group", "is_practice")
    list_filter = ("study", "is_practice")
    search_fields = ("stimulus_id",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("code", "study", "group", "stage", "next_trial", "external_pid", "created_at")
    list_filter = ("study", "stage", "group")
    search_fields = ("code", "external_pid")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("trial", "response_emotion", "intensity", "sync", "naturalness", "submitted_at")

    def has_change_permission(self, request, obj=None):
        return False
