"""Studies, their stimuli, participants, their trials and answers.

Invariants are held by the database as well as by the services: one answer
per trial, one use of each submission key, ratings 1..7, one enrolment per
Prolific participant and study (docs/design.md, data that must never be lost).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from contract import EMOTION_LABELS
from studyapp.designs import DESIGNS
from studyapp.languages import study_language_choices, texts_problem
from studyapp.questions import attention_checks_problem, question_set


def _completion_code() -> str:
    return secrets.token_hex(4).upper()


def _participant_code() -> str:
    # 128 bits: unguessable; hex, so a code never starts with "-" (which the CSV
    # export would quote as a would-be formula, export.py).
    return secrets.token_hex(16)


def url_name_new() -> str:
    """A stimulus's name in its clip and poster URLs: 128 random bits in lower-case hex,
    so a URL says nothing of the stimulus's condition or place in the manifest."""
    return secrets.token_hex(16)


RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a screen


def resume_code_new() -> str:
    """Eight characters (about 40 bits) a participant shows to continue in another browser."""
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(8))


class Study(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    design = models.CharField(max_length=20, choices=[(d, d) for d in DESIGNS])
    between_factor = models.CharField(max_length=50, blank=True)
    # A pairs study (build_study --design pairs --compare FACTOR [--against LEVEL], pairs.py):
    # the factor whose levels its pairs compare, and the level every pair is against
    # ("" for every pair of levels). "" for a study of single clips.
    compare_factor = models.CharField(max_length=50, blank=True)
    compare_against = models.CharField(max_length=100, blank=True)
    # The manifest's folder relative to STIMULI_ROOT, and the digest of the
    # manifest the study was built from (a rebuild with another is refused).
    stimuli_dir = models.CharField(max_length=500)
    manifest_sha256 = models.CharField(max_length=64)
    manifest_factors = models.JSONField(default=list)
    is_placeholder = models.BooleanField(default=False)
    is_open = models.BooleanField(default=True)
    completion_code = models.CharField(max_length=40, default=_completion_code)
    redirect_url = models.URLField(blank=True, help_text="e.g. Prolific's completion URL")
    require_full_playback = models.BooleanField(
        default=True, help_text="answers can be sent only after the clip played to its end")
    practice_enabled = models.BooleanField(
        default=True, help_text="one practice trial before the measured ones (paper 5.1.4)")
    breaks_every = models.PositiveSmallIntegerField(
        default=0, help_text="a pause screen after every N measured trials (0: none)")
    attention_checks = models.PositiveSmallIntegerField(
        default=0, help_text="catch trials per participant, at random positions")
    is_pilot = models.BooleanField(
        default=False, help_text="participants who enrol now are marked as pilot data")
    inactive_minutes = models.PositiveIntegerField(
        default=60, help_text="after this long without activity a participant no longer "
                              "holds a place in the group balance (they can still resume)")
    min_window_width = models.PositiveIntegerField(default=0, help_text="pixels; 0: any")
    min_window_height = models.PositiveIntegerField(default=0, help_text="pixels; 0: any")
    information_sheet = models.TextField(blank=True)
    # The study's own questions (questions.py, from build_study --questions); []: the paper's.
    questions = models.JSONField(default=list, blank=True)
    # The study's own texts in other languages than they are written in (languages.py):
    # {"zh-hans": {"title": "...", "information_sheet": "..."}}; missing ones fall back.
    texts = models.JSONField(
        default=dict, blank=True,
        help_text='the title and information sheet in other languages, e.g. {"zh-hans": '
                  '{"title": "...", "information_sheet": "..."}}; a missing one is shown as '
                  'written above (study_status lists them)')
    language = models.CharField(
        max_length=20, default="en", choices=study_language_choices,
        help_text="the language of participants' pages, or the participant's choice "
                  "(?lang= on the link, else the browser's language, and a switch on the "
                  "information sheet)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.slug

    @property
    def is_pairs(self) -> bool:
        """Whether each trial shows two clips (a pairs study)."""
        return bool(self.compare_factor)

    def text(self, field: str, language: str) -> str:
        """The study's ``title`` or ``information_sheet`` in ``language``, else as written."""
        return (self.texts or {}).get(language, {}).get(field) or getattr(self, field)

    def clean(self):
        """Settings that cannot go together (the admin's change form shows why)."""
        if self.attention_checks:
            problem = attention_checks_problem(question_set(self.questions), pairs=self.is_pairs)
            if problem:
                raise ValidationError({"attention_checks": problem})
        problem = texts_problem(self.texts)
        if problem:
            raise ValidationError({"texts": problem})


class Stimulus(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="stimuli")
    stimulus_id = models.CharField(max_length=200)
    file = models.CharField(max_length=500)
    poster = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    sentence = models.TextField(blank=True)
    factors = models.JSONField(default=dict)
    # The clip's objective measures from the manifest ({} when it has none): what
    # observer bots answer from (bots.py); participants never see them.
    measures = models.JSONField(default=dict, blank=True)
    is_practice = models.BooleanField(default=False)
    # The level of the study's between factor ("" when there is none).
    group = models.CharField(max_length=50, blank=True)
    # What participants' URLs call this stimulus (clip_links.py, views.stimulus_file).
    url_name = models.CharField(max_length=32, default=url_name_new, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "stimulus_id"], name="stimulus_unique_id"),
            models.UniqueConstraint(fields=["study", "url_name"], name="stimulus_unique_url_name"),
        ]

    def __str__(self) -> str:
        return self.stimulus_id


class Participant(models.Model):
    class Stage(models.TextChoices):
        CONSENT = "consent"
        ABOUT_YOU = "about_you"
        INSTRUCTIONS = "instructions"
        TRIALS = "trials"
        PAUSE = "pause"
        DONE = "done"
        DECLINED = "declined"
        WITHDRAWN = "withdrawn"

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="participants")
    code = models.CharField(max_length=32, unique=True, default=_participant_code)
    group = models.CharField(max_length=50, blank=True)
    seed = models.BigIntegerField()
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.CONSENT)
    next_trial = models.PositiveIntegerField(default=0)
    # The participant's trials as enrolment drew them, in order, one PLAN_COLUMNS list
    # each; a trial's row (Trial) is written when the participant comes near it
    # (services.trial_rows_due): rows exist for the planned indexes below
    # ``trials_written_to``. ``last_trial`` is the last index: the measured trials
    # are 1 .. last_trial, after the practice trial's 0.
    plan = models.JSONField(default=list, blank=True)
    last_trial = models.PositiveIntegerField(default=0)
    trials_written_to = models.PositiveIntegerField(default=0)
    is_pilot = models.BooleanField(default=False)
    is_bot = models.BooleanField(default=False)
    external_pid = models.CharField(max_length=100, blank=True)
    external_study_id = models.CharField(max_length=100, blank=True)
    external_session_id = models.CharField(max_length=100, blank=True)
    # The language of the pages this participant saw (languages.py).
    language = models.CharField(max_length=20, default="en")
    # Shown on the participant's pages: continuing under the same Prolific ID in
    # another browser needs it (views.entry); wrong tries are counted and capped.
    resume_code = models.CharField(max_length=8, default=resume_code_new)
    resume_failures = models.PositiveSmallIntegerField(default=0)
    # Answers refused because they came sooner than the clip could be watched.
    too_fast_answers = models.PositiveIntegerField(default=0)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["study", "external_pid", "external_study_id"],
                condition=~Q(external_pid=""),
                name="participant_unique_external",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study.slug}/{self.code}"


#: One trial of ``Participant.plan``: the Trial fields enrolment decides.
PLAN_COLUMNS = ("index", "stimulus", "stimulus_b", "left", "is_practice", "check_answer")


class Trial(models.Model):
    """One clip, or one pair of clips, in one participant's sequence; index 0 is the
    practice trial. Written from ``Participant.plan`` as the participant comes near
    it (services.trial_rows_due), so the rows of a participant who stopped early end
    where they stopped; the plan holds the whole sequence.

    A pair trial (a pairs study, pairs.py) shows ``stimulus`` (clip a) and
    ``stimulus_b`` (clip b); ``left`` says which of them is on the left (first on a
    phone), counterbalanced at enrolment (ordering.pair_sides).
    """

    # No index of its own: trial_unique_index (participant, index) serves every lookup
    # by participant, and one index fewer is 0.4 ms less database CPU per enrolment
    # (127 rows; BENCHMARKS.md, "Launch day").
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="trials",
                                    db_index=False)
    index = models.PositiveIntegerField()
    stimulus = models.ForeignKey(Stimulus, on_delete=models.PROTECT)
    stimulus_b = models.ForeignKey(Stimulus, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    left = models.CharField(max_length=1, blank=True, choices=[("a", "a"), ("b", "b")])
    is_practice = models.BooleanField(default=False)
    # A catch trial: the page asks for ``check_answer`` ({"response_emotion", "intensity"});
    # a catch pair (one clip on both sides) expects {"preference": "none"}.
    check_answer = models.JSONField(null=True, blank=True)
    shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant", "index"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "index"], name="trial_unique_index"),
            models.CheckConstraint(
                condition=Q(stimulus_b__isnull=True, left="")
                | Q(stimulus_b__isnull=False, left__in=["a", "b"]),
                name="trial_pair_has_a_left_side"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} trial {self.index}"

    @property
    def is_pair(self) -> bool:
        return self.stimulus_b_id is not None


# A study's own questions keep their answers in ``answers``; the paper's four
# (section 5.1.4) in their own columns, which the database checks.
OWN_QUESTIONS = Q(answers__isnull=False)
RATING = OWN_QUESTIONS | Q(intensity__gte=1, intensity__lte=7, sync__gte=1, sync__lte=7,
                           naturalness__gte=1, naturalness__lte=7)


class Response(models.Model):
    """One trial's answers, stored exactly once: the paper's four questions in their
    columns, or a study's own questions (questions.py) as ``{question id: value}``."""

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="response")
    submission_key = models.UUIDField(unique=True)
    response_emotion = models.CharField(max_length=20, choices=list(EMOTION_LABELS.items()),
                                        blank=True)
    intensity = models.PositiveSmallIntegerField(null=True, blank=True)
    sync = models.PositiveSmallIntegerField(null=True, blank=True)
    naturalness = models.PositiveSmallIntegerField(null=True, blank=True)
    answers = models.JSONField(null=True, blank=True)
    rt_ms = models.PositiveIntegerField(null=True, blank=True)
    # Plays of the clip; on a pair trial, of clip a, and ``plays_b`` those of clip b.
    plays = models.PositiveSmallIntegerField(default=0)
    plays_b = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=RATING, name="response_ratings_1_to_7"),
            models.CheckConstraint(
                condition=OWN_QUESTIONS | Q(response_emotion__in=list(EMOTION_LABELS)),
                name="response_emotion_known",
            ),
        ]

    def __str__(self) -> str:
        return f"answer to {self.trial}"
