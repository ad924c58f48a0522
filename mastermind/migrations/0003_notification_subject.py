# The outbox row refers to its subject through a generic relation instead of a foreign
# key to every app; existing rows keep what they were about.

import django.db.models.deletion
from django.db import migrations, models

# Most specific first: a row with a meeting was about the meeting, an application row
# also named its intake.
SUBJECTS = (
    ("meeting", "meetings", "meeting"),
    ("application", "groups", "application"),
    ("membership", "groups", "membership"),
    ("intake", "groups", "intake"),
)


def copy_subjects(apps, schema_editor):
    Notification = apps.get_model("mastermind", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for field, app_label, model in SUBJECTS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for pk, subject_id in (
            Notification.objects.filter(subject_id__isnull=True, **{f"{field}__isnull": False})
            .values_list("pk", f"{field}_id")
            .iterator()
        ):
            Notification.objects.filter(pk=pk).update(
                subject_type=content_type, subject_id=subject_id
            )


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mastermind", "0002_notification"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="subject_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="subject id"),
        ),
        migrations.AddField(
            model_name="notification",
            name="subject_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.RunPython(copy_subjects, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="application"),
        migrations.RemoveField(model_name="notification", name="intake"),
        migrations.RemoveField(model_name="notification", name="meeting"),
        migrations.RemoveField(model_name="notification", name="membership"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["subject_type", "subject_id"], name="mastermind__subject_8ee20f_idx"
            ),
        ),
    ]
