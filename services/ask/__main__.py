"""Run the ask service: ``python -m services.ask`` (host and port from ECOMINSIGHT_ASK_*)."""

import uvicorn

from services.ask.app import create_app
from services.ask.settings import Settings

if __name__ == "__main__":
    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
