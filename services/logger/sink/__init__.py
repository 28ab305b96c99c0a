"""The sink: Kafka events written exactly once to the JSONL files and the log database.

``writer.py`` (``Sink``: one micro-batch, one transaction), ``batch.py`` (a batch as Arrow tables
and JSONL lines), ``recovery.py`` (the files cut back to what the database recorded),
``hooks.py`` (where tests may observe or interrupt a batch), ``schema.py`` (the database's tables
and ``open_db``), ``history.py`` (closed days in Parquet), ``rotation.py`` (rotated JSONL files).
"""
