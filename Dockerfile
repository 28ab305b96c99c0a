# One image for every EcomInsight service; the compose file picks the service by command.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# CPU torch first. Point TORCH_PIP_ARGS at PyTorch's CPU wheel index (--index-url ...) to avoid
# the multi-gigabyte CUDA build that the default index serves.
ARG TORCH_SPEC="torch==2.13.0"
ARG TORCH_PIP_ARGS=""
RUN pip install ${TORCH_PIP_ARGS} "${TORCH_SPEC}"

WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install .

RUN useradd --create-home --uid 1000 ecominsight && mkdir -p /data && chown ecominsight /data
USER ecominsight
ENV ECOMINSIGHT_DATA_DIR=/data
CMD ["ecominsight", "--help"]
