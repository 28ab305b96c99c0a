"""The logger's HTTP routes, one module per area: ``deps.py`` (tokens, filters, the running
service), ``queries.py`` (health, statistics, query listings), ``review.py`` (the review queue and
labels), ``admin.py`` (SQL and exports), ``pages.py`` (the dashboard and the reviewers' page)."""
