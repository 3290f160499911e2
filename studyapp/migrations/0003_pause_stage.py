"""The pause stage is called "pause" everywhere (its page, its URL, flow.FLOW), not "break"."""

from django.db import migrations, models


def rename(old, new):
    def run(apps, schema_editor):
        apps.get_model("studyapp", "Participant").objects.filter(stage=old).update(stage=new)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("studyapp", "0002_url_names_resume_codes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participant",
            name="stage",
            field=models.CharField(choices=[
                ("consent", "Consent"), ("about_you", "About You"),
                ("instructions", "Instructions"), ("trials", "Trials"), ("pause", "Pause"),
                ("done", "Done"), ("declined", "Declined"), ("withdrawn", "Withdrawn")],
                default="consent", max_length=20),
        ),
        migrations.RunPython(rename("break", "pause"), rename("pause", "break")),
    ]
