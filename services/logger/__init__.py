"""The logger: Kafka events in, exactly once, to JSONL files and DuckDB; statistics, review, SQL
and exports out over HTTP and the CLI.

- ``app.py`` (the FastAPI factory and lifespan), ``routes.py`` (the API), ``pages.py`` (the
  dashboard and reviewers' pages), ``deps.py`` (tokens, filters), ``errors.py``, ``settings.py``,
  ``telemetry.py`` (Prometheus series);
- ``service.py`` (the running logger: database and threads), ``worker.py`` (the threads);
- ``sink/`` (the exactly-once writer, the database schema, history and rotation),
  ``stats/`` (rollups, statistics, the dashboard's series), ``review/`` (the review queue,
  corrections), ``sandbox/`` (``POST /sql``), ``export/`` (the fine-tuning set);
- ``cli/`` (the ``ecominsight`` subcommands; ``python -m services.logger`` serves), ``client.py``
  (what the CLI reads through), ``faults.py`` (the crash tests' hooks into the sink).
"""
