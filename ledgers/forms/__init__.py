"""Forms of the ledgers' screens, one module per area (activities, checks, tasks, assessment)."""
