"""Search snippets are cut from ``DocumentText.plain_text``, which now leaves out an opening
markdown heading that only repeats the title (``knowledge.text.body_text``; a result shows the
title above its snippet). New saves write it that way; this rewrites the stored text of the
documents that open with a heading. Only those can change, so only they are read. The vectors
and the ranking are not touched."""

from django.db import migrations

BATCH = 500


def trim_title_headings(apps, schema_editor):
    from knowledge import text  # pure functions of strings, no models

    Document = apps.get_model("knowledge", "Document")
    DocumentText = apps.get_model("knowledge", "DocumentText")
    openings = (
        Document._base_manager.filter(content__regex=r"^\s*#", plain__isnull=False)
        .exclude(content_type="text")
        .values_list("pk", "title", "content", "content_type", "plain__plain_text")
        .order_by("pk")
    )
    changed = []
    for pk, title, content, content_type, plain in openings.iterator(chunk_size=BATCH):
        body = text.body_text(content, content_type, title=title, plain=plain or "")
        if body != plain:
            changed.append(DocumentText(document_id=pk, plain_text=body))
        if len(changed) >= BATCH:
            DocumentText._base_manager.bulk_update(changed, ["plain_text"])
            changed = []
    DocumentText._base_manager.bulk_update(changed, ["plain_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0007_search_row_tags_as_text"),
    ]

    operations = [migrations.RunPython(trim_title_headings, migrations.RunPython.noop)]
