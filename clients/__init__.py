"""Client records, the two-minute brief, advisory alerts, the weekly review and closing the loop."""
