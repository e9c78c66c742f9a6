"""``SLAEvent.ticket_id`` (a plain integer while tickets were built in parallel) becomes a foreign
key to ``tickets.Ticket`` on the same ``ticket_id`` column; the unique (ticket, target, kind)
constraint is kept. Rename in the state, then alter: the column name never changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_calendars_policies_events"),
        ("tickets", "0005_schedule_sla_sweep"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="slaevent", name="sla_event_once_per_ticket_target_kind"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RenameField(model_name="slaevent", old_name="ticket_id", new_name="ticket")],
            database_operations=[],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="slaevent",
                    name="ticket",
                    field=models.BigIntegerField(db_column="ticket_id", verbose_name="ticket ID"),
                )
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="slaevent",
            name="ticket",
            field=models.ForeignKey(
                db_column="ticket_id",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sla_events",
                to="tickets.ticket",
                verbose_name="ticket",
            ),
        ),
        migrations.AddConstraint(
            model_name="slaevent",
            constraint=models.UniqueConstraint(
                fields=("ticket", "target", "kind"), name="sla_event_once_per_ticket_target_kind"
            ),
        ),
    ]
