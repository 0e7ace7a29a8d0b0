"""Community: what partners learn from each other without exposing anyone (activity, rankings, watchlists, cases)."""
