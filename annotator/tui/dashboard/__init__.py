"""The lead's dashboard: progress, agreement and labels as terminal charts."""
