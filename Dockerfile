# One CPU image for every EcomInsight service; the compose file picks the service by command.
#   docker compose build        (see docs/operations.md, "docker compose")
# BASE_IMAGE: any Debian-like image with python3.11 and its venv module (python:3.11-slim, or a
# Debian bookworm root file system: deploy/podman/base-image.sh makes one without a registry).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
RUN python3 -m venv /opt/venv

# 1. CPU torch. A wheel put in deploy/wheels/ (pip download torch==2.13.0 --no-deps -d deploy/wheels)
# is used from there; else it comes from PyPI's CPU index (not the multi-gigabyte CUDA build).
ARG TORCH_SPEC="torch==2.13.0"
ARG TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple"
COPY deploy/wheels/ /tmp/wheels/
RUN pip install --find-links /tmp/wheels ${TORCH_PIP_ARGS} "${TORCH_SPEC}" && rm -rf /tmp/wheels

# 2. The dependencies, read from pyproject.toml alone and pinned by requirements.lock (the same pins
# as scripts/setup.sh and CI), so a code edit does not reinstall them.
WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c requirements.lock -r /tmp/requirements.txt && rm /tmp/requirements.txt

# 3. The code, without touching the dependencies.
COPY README.md ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-deps . && rm -rf build ./*.egg-info
COPY deploy/healthcheck.py ./deploy/

# Every volume's mount point exists, owned by the service user, so a fresh named volume starts
# writable (an engine copies the mount point's owner into an empty volume).
RUN useradd --create-home --uid 1000 ecominsight \
    && mkdir -p /data/warehouse /data/query_logs /data/models /data/outbox /data/keys /data/understanding /data/hf-cache \
    && chown -R ecominsight:ecominsight /data
USER ecominsight
ENV ECOMINSIGHT_DATA_DIR=/data HF_HOME=/data/hf-cache
CMD ["ecominsight", "--help"]
