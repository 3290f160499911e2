"""A study's questions as data: the paper's four by default, or a lab's own from a TOML file.

Four kinds, each answered once per trial (``id`` becomes the answer's export column):

- ``choice``: labelled options (``options = { code = "Label", ... }``), optional
  ``other = true`` (an "Other" option), optional ``correct_factor`` naming the
  stimulus factor an answer is scored against (``<id>_correct`` in the export);
- ``scale``: ``points`` (2..11) numbered points with ``low``/``high`` end labels
  and an optional ``middle`` label;
- ``slider``: 0..100 with ``low``/``high`` end labels (MUSHRA-like ratings);
- ``text``: short free text, at most ``max_length`` characters;
- ``preference``: which of a pair's two clips (``build_study --design pairs``), A
  (left, first on a phone) or B, and "no preference" unless ``none = false``. The
  page sends the side clicked (``left``/``right``/``none``), never a clip's name;
  the server turns it into the chosen clip's level of the compared factor
  (``preference_levels``), which is what is stored and exported.

Every kind has a ``prompt`` and ``required`` (default true), and may have a table
per language of the platform (``[question.zh-hans]`` with ``prompt``, ``low``,
``high``, ``middle`` and ``options`` labels) for participants who read that
language; what a table leaves out is shown as written. Without a file a
study asks the paper's four questions (section 5.1.4, ``PAPER``), stored and
exported exactly as before; a pairs study asks ``PAIR_QUESTIONS``.
``questions_parse`` collects every problem of a file at once; ``answers_check``
validates one trial's answers against a set.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field, replace

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from contract import (
    EMOTION_LABELS,
    EXPORT_HEAD,
    EXPORT_TRAILER,
    NAMED_FACTORS,
    NO_PREFERENCE,
    OTHER,
    PAIR_HEAD,
    PAIR_TRAILER,
)
from studyapp.languages import DEFAULT, languages
from studyapp.pairs import clips_by_side

KINDS = ("choice", "scale", "slider", "text", "preference")
#: What the page sends for a preference question: the side the participant chose.
SIDES = ("left", "right")
SLIDER_MAX = 100
#: The answer request's own fields; every other field answers a question. No
#: stimulus id: the page names a trial by its index alone, and the server knows
#: which clip that trial shows (nothing a participant receives names a condition).
#: A pair trial's page reports the plays of each side (``plays_left``, ``plays_right``)
#: instead of ``plays``.
PROTOCOL_FIELDS = ("submission_key", "trial_index", "rt_ms", "plays", "plays_left",
                   "plays_right")
# Names a question id may not take: the request's fields and the exports' own columns.
RESERVED = {*PROTOCOL_FIELDS, *EXPORT_HEAD, *NAMED_FACTORS, *EXPORT_TRAILER, *PAIR_HEAD,
            *PAIR_TRAILER, "correct"}
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")


class QuestionsError(ValueError):
    """A question file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s):\n"
                         + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Question:
    """One question of a trial (see the module's docstring for the kinds)."""

    id: str
    kind: str
    prompt: str
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()
    other: bool = False
    correct_factor: str = ""
    points: int = 7
    low: str = ""
    high: str = ""
    middle: str = ""
    max_length: int = 500
    none: bool = True
    # {language: {"prompt": ..., "low": ..., "high": ..., "middle": ..., "options": {code: label}}}
    translations: dict = field(default_factory=dict, hash=False)

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """A choice question's (code, label) pairs, "Other" last when asked for."""
        return self.options + (((OTHER, EMOTION_LABELS[OTHER]),) if self.other else ())

    @property
    def values(self) -> tuple[int, ...]:
        """A scale's points, 1..points."""
        return tuple(range(1, self.points + 1))

    @property
    def sides(self) -> tuple[str, ...]:
        """A preference question's answers as the page sends them: left, right, and
        none when "no preference" is allowed."""
        return SIDES + ((NO_PREFERENCE,) if self.none else ())


# The paper's four questions (5.1.4), in the words participants read; gettext_noop marks them
# for the translation catalogue (locale/), and the pages translate them as they show them.
PAPER = (
    Question("response_emotion", "choice",
             gettext_noop("Which expression did the character depict?"),
             options=tuple((c, label) for c, label in EMOTION_LABELS.items() if c != OTHER),
             other=True, correct_factor="emotion"),
    Question("intensity", "scale",
             gettext_noop("How intense was the indicated emotion depicted by the character?"),
             low=gettext_noop("Not at all"), high=gettext_noop("Extremely")),
    Question("sync", "scale", gettext_noop("Does the lip motion sync with the speech?"),
             low=gettext_noop("No synchronization at all"),
             high=gettext_noop("Extremely well synchronized")),
    Question("naturalness", "scale", gettext_noop("How natural was the character overall?"),
             low=gettext_noop("Not at all"), high=gettext_noop("Extremely")),
)
#: contract.EMOTION_LABELS as the catalogue sees them (a test keeps the two equal).
EMOTION_WORDS = (
    gettext_noop("Neutral"), gettext_noop("Anger"), gettext_noop("Sadness"), gettext_noop("Fear"),
    gettext_noop("Disgust"), gettext_noop("Happiness"), gettext_noop("Surprise"),
    gettext_noop("Other"),
)


# A pairs study's default questions (issue 16): which of two clips is better on lip
# sync, naturalness and expression, the aspects A/B studies of talking faces ask about.
PAIR_QUESTIONS = (
    Question("lip_sync", "preference",
             gettext_noop("In which clip do the lips match the speech better?")),
    Question("naturalness", "preference", gettext_noop("Which clip looks more natural?")),
    Question("expression", "preference",
             gettext_noop("Which clip shows the emotion more clearly?")),
)


def question_set(stored: list[dict]) -> tuple[Question, ...]:
    """A study's questions from what ``Study.questions`` holds ([]: the paper's)."""
    if not stored:
        return PAPER
    return tuple(Question(**{**q, "options": tuple(tuple(o) for o in q.get("options", ()))})
                 for q in stored)


def question_set_store(questions: tuple[Question, ...]) -> list[dict]:
    """What ``Study.questions`` keeps of a set ([] for the paper's)."""
    return [] if questions == PAPER else [asdict(q) for q in questions]


def questions_parse(text: str, source: str = "questions file") -> tuple[Question, ...]:
    """The questions of a TOML file's ``[[question]]`` tables; QuestionsError lists every
    problem (TOML syntax with its line, unknown kind or key, duplicate id, bad range)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionsError(source, [f"not valid TOML: {exc}"]) from None
    tables = data.get("question")
    if not isinstance(tables, list) or not tables:
        raise QuestionsError(source, ["no [[question]] tables: each question is one "
                                      "[[question]] table with id, kind and prompt."])
    problems, questions, seen = [], [], set()
    for n, table in enumerate(tables, start=1):
        where = f"question {n} ({table.get('id', 'no id')})"
        found = _question_problems(table, where, seen)
        problems += found
        if not found:
            questions.append(_question(table))
    if problems:
        raise QuestionsError(source, problems)
    return tuple(questions)


_KEYS = {
    "choice": {"options", "other", "correct_factor"},
    "scale": {"points", "low", "high", "middle"},
    "slider": {"low", "high"},
    "text": {"max_length"},
    "preference": {"none"},
}


def _question_problems(table: dict, where: str, seen: set) -> list[str]:
    problems = []
    qid, kind = table.get("id"), table.get("kind")
    if not isinstance(qid, str) or not _ID.fullmatch(qid):
        problems.append(f"{where}: id must be lower-case letters, digits and _ "
                        "(starting with a letter, at most 40), as it names an export column.")
    elif qid in RESERVED or qid.endswith("_correct"):
        problems.append(f"{where}: id {qid!r} is taken by the answer's or the export's "
                        "own fields.")
    elif qid in seen:
        problems.append(f"{where}: id {qid!r} is used twice.")
    seen.add(qid)
    if kind not in KINDS:
        return problems + [f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}."]
    if not isinstance(table.get("prompt"), str) or not table["prompt"].strip():
        problems.append(f"{where}: prompt is missing.")
    translated = set(table) & (set(languages()) - {DEFAULT})
    unknown = set(table) - {"id", "kind", "prompt", "required"} - _KEYS[kind] - translated
    if unknown:
        problems.append(f"{where}: unknown key(s) for a {kind} question: "
                        f"{', '.join(sorted(unknown))}.")
    for code in sorted(translated):
        problems += _translation_problems(table, kind, code, f"{where} [{code}]")
    if not isinstance(table.get("required", True), bool):
        problems.append(f"{where}: required must be true or false.")
    problems += _kind_problems(table, kind, where)
    return problems


def _kind_problems(table: dict, kind: str, where: str) -> list[str]:
    if kind == "choice":
        options = table.get("options")
        if not isinstance(options, dict) or len(options) < 2 or not all(
                isinstance(v, str) and v.strip() for v in options.values()):
            return [f"{where}: options must be a table of at least two code = \"Label\" pairs."]
        if OTHER in options:
            return [f"{where}: use other = true for an {OTHER!r} option."]
    if kind == "scale":
        points = table.get("points")
        if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= 11:
            return [f"{where}: points must be a whole number from 2 to 11."]
    if kind == "text":
        length = table.get("max_length", 500)
        if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 5000:
            return [f"{where}: max_length must be a whole number from 1 to 5000."]
    if kind == "preference" and not isinstance(table.get("none", True), bool):
        return [f"{where}: none must be true or false (whether \"no preference\" is offered)."]
    if kind in ("scale", "slider") and not all(
            isinstance(table.get(end), str) and table[end].strip() for end in ("low", "high")):
        return [f"{where}: low and high (the end labels) are required."]
    return []


def _translation_problems(table: dict, kind: str, code: str, where: str) -> list[str]:
    translation = table[code]
    allowed = {"prompt"} | (_KEYS[kind] & {"low", "high", "middle", "options"})
    if not isinstance(translation, dict) or set(translation) - allowed:
        return [f"{where}: a translation holds only {', '.join(sorted(allowed))}."]
    labels = translation.get("options", {})
    if not isinstance(labels, dict) or set(labels) - set(table.get("options") or {}):
        return [f"{where}: options translates the labels of the question's own option codes."]
    return []


def _question(table: dict) -> Question:
    fields = dict(table)
    fields["translations"] = {code: fields.pop(code) for code in list(fields) if code in languages()}
    if "options" in fields:
        fields["options"] = tuple(fields["options"].items())
    return Question(**fields)


def localized(questions: tuple[Question, ...], language: str) -> tuple[Question, ...]:
    """The questions as a participant reading ``language`` sees them: each question's
    translation for it where the file gives one (the paper's are translated by the
    catalogue when the page is drawn)."""
    return tuple(_localized(q, q.translations.get(language)) for q in questions)


def _localized(q: Question, translation: dict | None) -> Question:
    if not translation:
        return q
    labels = translation.get("options", {})
    return replace(q, options=tuple((code, labels.get(code, label)) for code, label in q.options),
                   **{k: translation[k] for k in ("prompt", "low", "high", "middle")
                      if k in translation})


def untranslated(questions: tuple[Question, ...], language: str) -> list[str]:
    """The ids of questions with no prompt in ``language``: neither in the question's own
    table nor in the catalogue (which translates the paper's and the pairs' questions)."""
    if language == DEFAULT:
        return []
    with translation.override(language):
        return [q.id for q in questions if "prompt" not in q.translations.get(language, {})
                and gettext(q.prompt) == q.prompt]


@dataclass
class Checked:
    """One trial's answers after ``answers_check``: the values, and each problem."""

    values: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def answers_check(questions: tuple[Question, ...], data: dict) -> Checked:
    """Each question's answer in ``data`` checked against its kind; unanswered optional
    questions are left out of ``values``."""
    checked = Checked()
    for q in questions:
        value = data.get(q.id)
        if value is None or value == "":
            if q.required:
                checked.problems.append(f"{q.id} is missing")
            continue
        problem = _answer_problem(q, value)
        if problem:
            checked.problems.append(problem)
        else:
            checked.values[q.id] = int(value) if q.kind in ("scale", "slider") else value
    return checked


def _answer_problem(q: Question, value) -> str:
    if q.kind == "choice":
        codes = [code for code, _ in q.choices]
        if not isinstance(value, str) or value not in codes:
            return f"{q.id} {str(value)[:40]!r} is not one of {', '.join(codes)}"
    elif q.kind == "preference":
        if not isinstance(value, str) or value not in q.sides:
            return f"{q.id} {str(value)[:40]!r} is not one of {', '.join(q.sides)}"
    elif q.kind in ("scale", "slider"):
        high = q.points if q.kind == "scale" else SLIDER_MAX
        low = 1 if q.kind == "scale" else 0
        if isinstance(value, bool) or not whole(value) or not low <= int(value) <= high:
            return f"{q.id} must be a whole number from {low} to {high}, got {str(value)[:40]!r}"
    elif not isinstance(value, str) or "\x00" in value:
        return f"{q.id} must be text"
    elif len(value) > q.max_length:
        return f"{q.id} is longer than {q.max_length} characters"
    return ""


def whole(value) -> bool:
    """An int, a float with no fraction, or a string of at most 12 digits (sign allowed)."""
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    digits = value.strip().lstrip("-") if isinstance(value, str) else ""
    return digits.isascii() and digits.isdigit() and len(digits) <= 12


def scored(questions: tuple[Question, ...]) -> tuple[Question, ...]:
    """The choice questions scored against a stimulus factor."""
    return tuple(q for q in questions if q.kind == "choice" and q.correct_factor)


def preferences(questions: tuple[Question, ...]) -> tuple[Question, ...]:
    """The preference questions of a set (those a pair trial needs)."""
    return tuple(q for q in questions if q.kind == "preference")


def preference_levels(questions: tuple[Question, ...], values: dict, *, left: str,
                      levels: dict) -> dict:
    """``values`` with each preference answer (the side clicked) turned into the chosen
    clip's level of the compared factor, or NO_PREFERENCE; ``left`` is the clip shown
    left ("a"/"b") and ``levels`` maps "a" and "b" to their levels."""
    clip, asked = clips_by_side(left), {q.id for q in preferences(questions)}
    return {k: (levels[clip[v]] if v in clip else NO_PREFERENCE) if k in asked else v
            for k, v in values.items()}


ATTENTION_CHECKS_NEED_PAPER = (
    "attention checks ask for a given expression and intensity, which only the paper's "
    "questions have: set attention checks to 0 for a study with its own questions.")
ATTENTION_CHECKS_NEED_NONE = (
    "attention checks of a pairs study show one clip on both sides and expect \"no "
    "preference\", which every preference question must then offer (none = true, as the "
    "default questions do): set attention checks to 0, or allow \"no preference\".")


def attention_checks_problem(questions: tuple[Question, ...], *, pairs: bool) -> str:
    """Why a study asking ``questions`` cannot have attention checks ("" when it can):
    single-clip checks ask for the paper's expression and intensity; pair checks expect
    "no preference" to every preference question (ordering.pair_checks_insert)."""
    if pairs:
        asked = preferences(questions)
        return "" if asked and all(q.none for q in asked) else ATTENTION_CHECKS_NEED_NONE
    return "" if questions == PAPER else ATTENTION_CHECKS_NEED_PAPER
