"""Signals the ledgers send for work that lives above them: the background jobs
(reports/jobs/) send what the ledgers queue, without the ledgers importing them."""
from django.dispatch import Signal

# Deliveries (ledgers.models.Delivery rows) waiting to be sent, sent with `ids` once the
# transaction that made them has committed; reports/jobs/notifications.py queues a task for each.
deliveries_queued = Signal()
