import django.db.models.deletion
import django.db.models.manager
from django.conf import settings
from django.db import migrations, models

import knowledge.models


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_schedule_reindex_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("documentattachment", "file_url", "external_url"),
        migrations.AlterField(
            "documentattachment",
            "external_url",
            models.URLField(blank=True, max_length=1000, verbose_name="external URL"),
        ),
        migrations.AlterField(
            "documentattachment",
            "document",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="knowledge.document",
            ),
        ),
        migrations.AddField(
            "documentattachment",
            "uploaded_by",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            "documentattachment",
            "file",
            models.FileField(
                blank=True, max_length=255, upload_to=knowledge.models.attachment_path, verbose_name="file"
            ),
        ),
        migrations.AddField(
            "documentattachment",
            "extension",
            models.CharField(blank=True, max_length=16, verbose_name="extension"),
        ),
        migrations.AddField(
            "documentattachment", "is_deleted", models.BooleanField(default=False, verbose_name="deleted")
        ),
        migrations.AddField(
            "documentattachment",
            "deleted_at",
            models.DateTimeField(blank=True, null=True, verbose_name="deleted at"),
        ),
        migrations.AlterModelManagers(
            "documentattachment",
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_objects", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AlterModelOptions(
            "documentattachment",
            options={
                "base_manager_name": "all_objects",
                "ordering": ["id"],
                "verbose_name": "document attachment",
                "verbose_name_plural": "document attachments",
            },
        ),
    ]
