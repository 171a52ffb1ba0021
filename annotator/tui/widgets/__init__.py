"""Task widgets, one per task type, and the unit view."""
