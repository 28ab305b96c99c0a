"""The statistics: what ``/stats``, the dashboard and the listings read.

``summary.py`` (``/stats``, filters, the versions table, failed and low-confidence queries),
``rollups.py`` (the per-period counters the sink keeps), ``histogram.py`` (their latency buckets
and percentiles), ``windows.py`` (a time window read from the rollups), ``ratings.py`` (the
rating that counts for each query), ``timeline.py`` and ``timeline_rollups.py`` (the dashboard's
series), ``listing.py`` (one shop's queries, paged).
"""
