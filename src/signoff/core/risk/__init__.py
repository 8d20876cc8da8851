"""Risk: detection rules over a diff, and reconciliation with the risk a spec declares."""
