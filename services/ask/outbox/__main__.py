"""The outbox publisher's child process: ``python -m services.ask.outbox DIR KAFKA_JSON BATCH RETRY_S POLL_S PARENT_PID``
(started by ``PublisherProcess``)."""

import sys

from services.ask.outbox.process import main

if __name__ == "__main__":
    sys.exit(main())
