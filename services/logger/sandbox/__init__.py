"""The SQL sandbox behind ``POST /sql``: ``guard.py`` (only one read-only SELECT passes),
``runner.py`` (``SqlSandbox``: copies what the statement reads and runs it in a child process)
and ``child.py`` (that process, started by file path in isolated mode)."""
