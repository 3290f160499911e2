"""Forms of the pages before the trials (consent, about you)."""

from django import forms

GENDERS = [
    ("", "Choose one"), ("female", "Female"), ("male", "Male"),
    ("non-binary", "Non-binary"), ("self-described", "Prefer to self-describe"),
    ("not-said", "Prefer not to say"),
]


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        choices=[("yes", "I consent to take part"), ("no", "I do not consent")],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        error_messages={"required": "Please choose whether you consent."})


class ResumeForm(forms.Form):
    code = forms.CharField(max_length=20, label="Resume code",
                           error_messages={"required": "Please type your resume code."})


class AboutYouForm(forms.Form):
    age = forms.IntegerField(min_value=16, max_value=120, label="Age (years)")
    gender = forms.ChoiceField(choices=GENDERS, label="Gender")
    gender_self = forms.CharField(max_length=50, required=False, label="Self-description")

    def clean(self):
        data = super().clean()
        if data.get("gender") == "self-described":
            if not data.get("gender_self", "").strip():
                self.add_error("gender_self", "Please describe your gender, or pick another option.")
            else:
                data["gender"] = data["gender_self"].strip()
        return data
