"""Dashboard and analysis of a process: status matrix, progress over time, participation and
progress (rank correlation with a bootstrap interval), charts as SVG/PNG, CSV exports."""
