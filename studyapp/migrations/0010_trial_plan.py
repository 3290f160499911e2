"""Participants keep their trial order (``plan``) and get their trial rows as they come
near them (services.trial_rows_due) instead of all at enrolment. Participants enrolled
before have every row already: their plan is read back from those rows."""

from django.db import migrations, models

PLAN_COLUMNS = ("index", "stimulus_id", "stimulus_b_id", "left", "is_practice", "check_answer")


def plans_from_rows(apps, schema_editor):
    Participant = apps.get_model("studyapp", "Participant")
    Trial = apps.get_model("studyapp", "Trial")
    for participant in Participant.objects.only("pk").iterator():
        plan = [list(row) for row in Trial.objects.filter(participant=participant)
                .order_by("index").values_list(*PLAN_COLUMNS)]
        if plan:
            Participant.objects.filter(pk=participant.pk).update(
                plan=plan, last_trial=plan[-1][0], trials_written_to=plan[-1][0] + 1)


def plan_out_of_the_row(apps, schema_editor):
    """PostgreSQL: keep a long plan out of the participant's row (uncompressed, in the
    table's TOAST), which every answer updates: compressed in the row it made each
    new row version about 1.2 kB instead of 0.2 (a 126-trial plan)."""
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("studyapp", "Participant")._meta.db_table)
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN "plan" SET STORAGE EXTERNAL')


class Migration(migrations.Migration):

    dependencies = [
        ('studyapp', '0009_trial_participant_index_covered_by_unique'),
    ]

    operations = [
        migrations.AddField(
            model_name='participant',
            name='last_trial',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='participant',
            name='plan',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='participant',
            name='trials_written_to',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(plan_out_of_the_row, migrations.RunPython.noop),
        migrations.RunPython(plans_from_rows, migrations.RunPython.noop),
    ]
