# Issue 22: the picture of docs/observability.md from a real run here (the manager's
# OpenMetrics page scraped under wrk load, drawn by gnuplot): make observability-picture
# writes docs/observability-run.png (committed; the figure names this command).
.PHONY: observability-picture
observability-picture: all docs-assets
	BUILD=$(BUILD) bench/observability_picture.sh $(BUILD) docs/observability-run.png
