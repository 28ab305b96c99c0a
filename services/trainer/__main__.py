"""Run the trainer worker: python -m services.trainer"""

from __future__ import annotations

import logging

from services.trainer.settings import Settings
from services.trainer.worker import TrainerWorker
from shared.kafka import ensure_topics


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    settings = Settings()
    ensure_topics(settings.kafka)
    worker = TrainerWorker(settings)
    worker.consumer.install_signal_handlers()
    worker.run()


if __name__ == "__main__":
    main()
