"""`annotator serve`: the annotate, review and dashboard screens behind a token sign-in."""
