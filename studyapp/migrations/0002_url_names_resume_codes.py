"""Random URL names for stimuli, resume codes and too-fast counts for participants.

Existing rows get values of their own (a callable default in AddField would give
every existing row the same one).
"""

from django.db import migrations, models

import studyapp.models


def fill(apps, schema_editor):
    Stimulus = apps.get_model("studyapp", "Stimulus")
    Participant = apps.get_model("studyapp", "Participant")
    for stimulus in Stimulus.objects.only("pk").iterator():
        Stimulus.objects.filter(pk=stimulus.pk).update(url_name=studyapp.models.url_name_new())
    for participant in Participant.objects.only("pk").iterator():
        Participant.objects.filter(pk=participant.pk).update(
            resume_code=studyapp.models.resume_code_new())


class Migration(migrations.Migration):

    dependencies = [
        ("studyapp", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="stimulus", name="url_name",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.AddField(
            model_name="participant", name="resume_code",
            field=models.CharField(max_length=8, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="stimulus", name="url_name",
            field=models.CharField(default=studyapp.models.url_name_new, editable=False,
                                   max_length=32),
        ),
        migrations.AlterField(
            model_name="participant", name="resume_code",
            field=models.CharField(default=studyapp.models.resume_code_new, max_length=8),
        ),
        migrations.AddField(
            model_name="participant", name="resume_failures",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="participant", name="too_fast_answers",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="stimulus",
            constraint=models.UniqueConstraint(fields=("study", "url_name"),
                                               name="stimulus_unique_url_name"),
        ),
    ]
