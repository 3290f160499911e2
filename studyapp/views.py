"""Participant pages: thin shells over services and selectors.

Every page checks that it is the participant's current stage and otherwise
redirects there (flow.py), so the back button, an old link or a reload lands
on the page the server holds for them; no participant page may be cached
(``never_cache``), or Back would show an old trial from the browser's cache.

Nothing a participant receives names a stimulus or its condition: a trial is
named by its index, a clip by a random name (``Stimulus.url_name``), and clips
go only to participants whose trials show them.
"""

from __future__ import annotations

import json
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from contract import EMOTION_LABELS
from studyapp import services
from studyapp.errors import ServiceError
from studyapp.flow import Stage, stage_url
from studyapp.forms import AboutYouForm, ConsentForm, ResumeForm
from studyapp.fragments import form_markup, page_kept, questions_markup
from studyapp.languages import CHOICE, DEFAULT, language_pick, languages, supported
from studyapp.links import LinkError, entry_link_parse
from studyapp.media import accel_redirect_response, ranged_file_response
from studyapp.models import Participant, Stimulus, Study
from studyapp.newcomers import newcomer_forget, newcomer_read, newcomer_write
from studyapp.pairs import clips_by_side
from studyapp.questions import localized, question_set
from studyapp.selectors import participant_get, participant_stimulus, study_get


def _session_key(slug: str) -> str:
    return f"participant:{slug}"


def _pending_key(slug: str) -> str:
    return f"resume:{slug}"


def _participant(request, slug: str):
    """The participant this browser session holds on study ``slug`` (None if none)."""
    return participant_get(slug, request.session.get(_session_key(slug)))


def _language_key(slug: str) -> str:
    return f"language:{slug}"


def _bind(request, slug: str, participant: Participant) -> None:
    """Hold ``participant`` in this browser's session, under a new session key: a
    session id planted before (session fixation) does not carry the place. A session
    that has no key yet (a newcomer's: an unknown planted id loads as none) gets its
    first one when saved, without writing an empty session first."""
    request.session.pop(_pending_key(slug), None)  # (reads the session)
    if request.session.session_key is not None:
        request.session.cycle_key()
    request.session[_session_key(slug)] = participant.pk
    request.session[_language_key(slug)] = participant.language


def _speak(request, language: str) -> None:
    """Render this request's pages and messages in ``language`` (languages.py)."""
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _error(request, message: str, status: int, study: Study | None = None):
    return render(request, "studyapp/message.html",
                  {"study": study, "title": _("Sorry"), "message": message}, status=status)


@never_cache
def entry(request, slug):
    """The study link: show a newcomer the information sheet, or bring a returning
    participant back.

    A newcomer costs no write: what their link says (Prolific ids, pilot or
    rehearsal, language) travels in a signed cookie, and they are enrolled, with
    their group and trials, only when they answer the consent form (``consent``),
    so a launch's crowd, a crawler or an impatient client clicking the link
    again and again adds nothing to the database. The sheet is shown here, not
    behind a redirect: one request fewer for everyone who arrives.

    A Prolific ID is not a password: a place held under a Prolific PID is given
    back to the browser that holds it (its session cookie: Prolific's "return
    to the study" in the same browser), and to another browser only with the
    participant's resume code, shown on their pages (``resume``).
    """
    study = study_get(slug)
    language = language_pick(study.language, request.GET.get("lang"),
                             request.headers.get("Accept-Language", ""))
    _speak(request, language)
    try:
        link = entry_link_parse(study, request.GET)
    except LinkError as exc:
        return _error(request, str(exc), 400, study)
    participant = _participant(request, slug)
    if participant is not None and link.external_pid in ("", participant.external_pid):
        return redirect(stage_url(participant))
    try:
        services.enrolment_check(study=study, external_pid=link.external_pid,
                                 external_study_id=link.external_study_id)
    except services.AlreadyEnrolled as exc:
        return _to_resume(request, slug, exc.participant)
    except ServiceError as exc:
        return _error(request, str(exc), exc.status, study)
    if participant is not None:  # this browser held someone else: the link is another's
        request.session.pop(_session_key(slug))
    newcomer = {"external_pid": link.external_pid, "external_study_id": link.external_study_id,
                "external_session_id": link.external_session_id, "is_pilot": link.is_pilot,
                "is_bot": link.is_bot, "language": language}
    return newcomer_write(_sheet(request, study, ConsentForm()), slug, newcomer)


def _to_resume(request, slug: str, participant: Participant):
    request.session[_pending_key(slug)] = participant.pk
    return redirect("studyapp:resume", slug=slug)


@never_cache
@require_http_methods(["GET", "POST"])
def resume(request, slug):
    """Continue, in this browser, a place begun in another: the resume code is the proof."""
    pending = participant_get(slug, request.session.get(_pending_key(slug)))
    if pending is None:
        return redirect("studyapp:entry", slug=slug)
    _speak(request, pending.language)
    form = ResumeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_resume(participant=pending,
                                                      code=form.cleaned_data["code"])
        except ServiceError as exc:
            form.add_error("code", str(exc))
        else:
            _bind(request, slug, participant)
            return redirect(stage_url(participant))
    return render(request, "studyapp/resume.html", {"study": pending.study, "form": form},
                  status=400 if form.errors else 200)


def participant_page(stage: str):
    """Serve the view only to a participant whose current stage is ``stage``; the
    page is never cached, and ``request.participant`` is set for the templates."""
    def decorator(view):
        @never_cache
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            participant = _participant(request, slug)
            if participant is None:
                return redirect("studyapp:entry", slug=slug)
            if participant.stage != stage:
                return redirect(stage_url(participant))
            services.participant_touch(participant)
            _speak(request, participant.language)
            request.participant = participant
            return view(request, participant.study, participant, *args, **kwargs)
        return wrapper
    return decorator


def _advance(request, participant, stage: str, **fields):
    try:
        participant = services.participant_advance(
            participant=participant, from_stage=stage, **fields)
    except ServiceError:
        pass  # a stale page: send them where they belong
    return redirect(stage_url(participant))


@never_cache
@require_http_methods(["GET", "POST"])
def consent(request, slug):
    """The information sheet and consent, where a newcomer (entry) is enrolled by
    answering; with the language left to the participant, a switch (``?lang=``)
    that changes the language of every page from here on."""
    participant = _participant(request, slug)
    if participant is not None and participant.stage != Stage.CONSENT:
        return redirect(stage_url(participant))
    newcomer = None if participant else newcomer_read(request, slug)
    if participant is None and newcomer is None:
        return redirect("studyapp:entry", slug=slug)
    study = participant.study if participant else study_get(slug)
    language = participant.language if participant else newcomer["language"]
    chosen = supported(request.GET.get("lang"))
    if study.language == CHOICE and chosen and chosen != language:
        return _language_switch(request, study, participant, newcomer, chosen)
    _speak(request, language)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if participant is None:  # enrolled now, already past the consent stage
            try:
                participant = services.participant_enroll(
                    study=study, consent=form.cleaned_data["consent"], **newcomer)
            except services.AlreadyEnrolled as exc:  # the same Prolific id, meanwhile
                return _to_resume(request, slug, exc.participant)
            except ServiceError as exc:
                return _error(request, str(exc), exc.status, study)
            _bind(request, slug, participant)
            response = redirect(stage_url(participant))
        else:
            response = _advance(request, participant, Stage.CONSENT,
                                consent=form.cleaned_data["consent"])
        newcomer_forget(response, slug)
        return response
    return _sheet(request, study, form)


def _sheet(request, study: Study, form: ConsentForm):
    """The information sheet with the consent form (which the study link shows too),
    in the language already activated."""
    return _page(request, "studyapp/consent.html", form, {
        "study": study, "form": form,
        "choices": form_markup("studyapp/consent_choices.html", form),
        "languages": languages() if study.language == CHOICE else {}})


def _page(request, template: str, form, context: dict):
    """A page with a form: the same for everyone while the form is unanswered, so kept
    (fragments.page_kept); drawn for this request once it carries answers or errors."""
    if form.is_bound:
        return render(request, template, context)
    return page_kept(request, template, context)


def _language_switch(request, study: Study, participant, newcomer, language: str):
    """Keep the language a participant chose on the information sheet, and show it again."""
    response = redirect("studyapp:consent", slug=study.slug)
    if participant is None:
        return newcomer_write(response, study.slug, {**newcomer, "language": language})
    services.participant_language_set(participant=participant, language=language)
    request.session[_language_key(study.slug)] = language
    return response


@require_http_methods(["GET", "POST"])
@participant_page(Stage.ABOUT_YOU)
def about_you(request, study, participant):
    form = AboutYouForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _advance(request, participant, Stage.ABOUT_YOU,
                        age=form.cleaned_data["age"], gender=form.cleaned_data["gender"])
    return _page(request, "studyapp/about_you.html", form, {
        "study": study, "form": form,
        "fields": form_markup("studyapp/about_you_fields.html", form)})


def _continue_page(request, participant, stage: str, template: str, **context):
    """A page whose one form moves the participant on (instructions, pause)."""
    if request.method == "POST":
        return _advance(request, participant, stage)
    return page_kept(request, template, {"study": participant.study,
                                         "n_measured": participant.last_trial, **context})


@require_http_methods(["GET", "POST"])
@participant_page(Stage.INSTRUCTIONS)
def instructions(request, study, participant):
    questions = localized(question_set(study.questions), participant.language)
    return _continue_page(request, participant, Stage.INSTRUCTIONS, "studyapp/instructions.html",
                          questions=questions, questions_markup=questions_markup(
                              "studyapp/instruction_questions.html", questions))


@participant_page(Stage.TRIALS)
def trial(request, study, participant):
    """The trial page. It is loaded once per run of trials: each answer's reply
    carries the next trial (``_trial_state``), which trial.js shows in place."""
    showing = services.trial_current(participant)
    state = _trial_state(showing)
    config = {
        "answerUrl": reverse("studyapp:answer", args=[study.slug]),
        "requireFullPlayback": study.require_full_playback,
        "csrfToken": get_token(request),
        "nMeasured": participant.last_trial,
        "trial": state,
        "messages": _trial_messages(),
    }
    questions = localized(question_set(study.questions), participant.language)
    return render(request, "studyapp/trial.html", {
        "study": study, "state": state, "n_measured": config["nMeasured"],
        "pair": study.is_pairs, "questions": questions,
        "questions_markup": questions_markup("studyapp/trial_questions.html", questions),
        "config": config,
    })


def _trial_messages() -> dict:
    """What trial.js writes on the page, in the participant's language ({names} filled in)."""
    return {
        "practice": _("Practice trial"), "trialOf": _("Trial {n} of {total}"),
        "play": _("Play"), "replay": _("Replay"),
        "watchFirst": _("Watch the clip to its end first."),
        "watchBothFirst": _("Play both clips to their end first."),
        "answerAll": _("Answer every question to continue."), "saving": _("Saving…"),
        "offline": _("Cannot reach the server. Your answers are kept on this page; trying "
                     "again in {wait} s (attempt {attempt})."),
        "serverProblem": _("The server had a problem; trying again in {wait} s."),
        "refused": _("The answer was refused ({status})."),
    }


def _trial_state(showing: services.Showing) -> dict:
    """What the page shows of the trial on screen: its clip (a pair's left clip, and
    ``right*`` its right one), progress, banners, answer key, and the next trial's
    clip(s) to preload; nothing that names the stimulus, nor which clip of a pair is
    a or b (the page answers by side, questions.py)."""
    participant, current, upcoming = showing.participant, showing.trial, showing.upcoming
    study = participant.study
    left, right = _sides(current)
    check = current.check_answer
    state = {
        "trialIndex": current.index,
        "isPractice": current.is_practice,
        "clipUrl": _file_url(study, left, "mp4"),
        "posterUrl": _file_url(study, left, "png") if left.poster else "",
        "nextClipUrl": _file_url(study, _sides(upcoming)[0], "mp4") if upcoming else "",
        "storageKey": f"answer-key:{study.slug}:{participant.code}:{current.index}",
        # A catch pair (one clip twice) has no instruction: it looks like any pair.
        "check": {"emotion": _(EMOTION_LABELS[check["response_emotion"]]),
                  "intensity": check["intensity"]} if check and "response_emotion" in check
        else None,
    }
    if right is not None:
        following = _sides(upcoming)[1] if upcoming else None
        state |= {"rightClipUrl": _file_url(study, right, "mp4"),
                  "rightPosterUrl": _file_url(study, right, "png") if right.poster else "",
                  "nextRightClipUrl": _file_url(study, following, "mp4") if following else ""}
    return state


def _sides(trial) -> tuple[Stimulus, Stimulus | None]:
    """The clip a trial shows on the left (its only one) and on the right (None)."""
    if not trial.is_pair:
        return trial.stimulus, None
    clips = {"a": trial.stimulus, "b": trial.stimulus_b}
    on = clips_by_side(trial.left)
    return clips[on["left"]], clips[on["right"]]


@require_http_methods(["GET", "POST"])
@participant_page(Stage.PAUSE)
def pause(request, study, participant):
    return _continue_page(request, participant, Stage.PAUSE, "studyapp/pause.html",
                          done=participant.next_trial - 1)


@never_cache
@require_POST
def answer(request, slug):
    """Store one answer (JSON body); reply where to go next and, while trials go
    on, the next trial, which the page shows in place (JSON)."""
    pk = request.session.get(_session_key(slug))
    _speak(request, request.session.get(_language_key(slug), DEFAULT))
    if pk is None:
        study_get(slug)
        return JsonResponse({"error": str(services.SESSION_ENDED)}, status=403)
    try:
        data = json.loads(request.body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: deep nesting
        return JsonResponse({"error": _("The answer was not sent as a JSON object.")}, status=400)
    try:
        showing = services.response_submit(slug=slug, participant_pk=pk, data=data)
    except ServiceError as exc:
        participant = _participant(request, slug)
        where = stage_url(participant) if participant else reverse("studyapp:entry", args=[slug])
        return JsonResponse({"error": str(exc), "next": where, "code": exc.code},
                            status=exc.status)
    participant = showing.participant
    reply = {"ok": True, "next": stage_url(participant)}
    if showing.trial is not None:
        reply["trial"] = _trial_state(showing)
    return JsonResponse(reply)


@participant_page(Stage.DONE)
def done(request, study, participant):
    return render(request, "studyapp/done.html", {"study": study})


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, slug):
    """Withdraw from the study, from any page (after a confirmation)."""
    participant = _participant(request, slug)
    if participant is None:
        return redirect("studyapp:entry", slug=slug)
    if request.method == "POST":
        participant = services.participant_withdraw(participant=participant)
        return redirect(stage_url(participant))
    _speak(request, participant.language)
    request.participant = participant  # the page's footer shows their resume code
    return render(request, "studyapp/withdraw.html", {
        "study": participant.study, "back_url": stage_url(participant)})


@participant_page(Stage.WITHDRAWN)
def withdrawn(request, study, participant):
    return render(request, "studyapp/message.html", {
        "study": study, "title": _("You have withdrawn"),
        "message": _("Your answers are marked as withdrawn and will not be analysed. "
                     "Thank you for your time; you can close this page.")})


@participant_page(Stage.DECLINED)
def declined(request, study, participant):
    return render(request, "studyapp/message.html", {
        "study": study, "title": _("Thank you"),
        "message": _("You chose not to take part. No answers were recorded. "
                     "You can close this page.")})


def stimulus_file(request, slug, name, kind):
    """A clip (``mp4``) or poster (``png``) of one of this participant's trials, with
    Range support and no header that names the file or tells when it was made.

    Files are addressed by a random name, not by file name or number, so the URL
    says nothing of the condition; only a participant of the study whose trials
    show the stimulus gets it (nginx's clip links, which skip this check, exist
    only while the study is open: clip_links.py).
    """
    stimulus = participant_stimulus(slug, request.session.get(_session_key(slug)), name)
    if stimulus is None:
        raise Http404("no such file")
    relative = {"mp4": stimulus.file, "png": stimulus.poster}.get(kind)
    if not relative:
        raise Http404("no such file")
    root = Path(settings.STIMULI_ROOT)
    path = root / stimulus.study.stimuli_dir / relative
    if not path.is_file():
        raise Http404("the stimulus file is missing on the server")
    if settings.STIMULI_ACCEL_REDIRECT:
        return accel_redirect_response(path, root, settings.STIMULI_ACCEL_REDIRECT)
    stat = path.stat()
    etag = salted_hmac("studyapp.clip-etag", f"{path}:{stat.st_mtime_ns}:{stat.st_size}")
    return ranged_file_response(request, path, etag=f'"{etag.hexdigest()[:24]}"')


def _file_url(study: Study, stimulus: Stimulus, kind: str) -> str:
    return reverse("studyapp:stimulus_file", args=[study.slug, stimulus.url_name, kind])
