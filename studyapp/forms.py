"""Forms of the pages before the trials (consent, about you, resume), in the
participant's language (languages.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

GENDERS = [
    ("", _("Choose one")), ("female", _("Female")), ("male", _("Male")),
    ("non-binary", _("Non-binary")), ("self-described", _("Prefer to self-describe")),
    ("not-said", _("Prefer not to say")),
]


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        choices=[("yes", _("I consent to take part")), ("no", _("I do not consent"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        error_messages={"required": _("Please choose whether you consent.")})


class ResumeForm(forms.Form):
    code = forms.CharField(max_length=20, label=_("Resume code"),
                           error_messages={"required": _("Please type your resume code.")})


class AboutYouForm(forms.Form):
    age = forms.IntegerField(min_value=16, max_value=120, label=_("Age (years)"))
    gender = forms.ChoiceField(choices=GENDERS, label=_("Gender"))
    gender_self = forms.CharField(max_length=50, required=False, label=_("Self-description"))

    def clean(self):
        data = super().clean()
        if data.get("gender") == "self-described":
            if not data.get("gender_self", "").strip():
                self.add_error("gender_self",
                               _("Please describe your gender, or pick another option."))
            else:
                data["gender"] = data["gender_self"].strip()
        return data
