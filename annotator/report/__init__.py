"""The self-contained HTML report: inline CSS and SVG charts, no scripts, no network."""
