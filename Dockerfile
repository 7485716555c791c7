# Canonym's image. Two stages on the same slim Python base: the build stage installs the
# dependencies (a layer of their own, rebuilt only when pyproject.toml changes), then the
# package, into a virtual environment; the runtime stage copies that environment and runs it
# as an unprivileged user. tests/test_deploy.py lints this file with hadolint and runs its
# install and start commands in a fresh virtual environment.

FROM python:3.11.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, from pyproject.toml alone: code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install --no-cache-dir --requirement requirements.txt
COPY README.md ./
COPY app ./app
RUN pip install --no-cache-dir --no-deps .

FROM python:3.11.11-slim-bookworm AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="Canonym" \
      org.opencontainers.image.description="Entity-name normalization, spelling-variant matching and clustering service" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10001 canonym \
    && useradd --system --uid 10001 --gid canonym --home-dir /var/lib/canonym --create-home \
       --shell /usr/sbin/nologin canonym
COPY --from=build /opt/venv /opt/venv
COPY seeds/registry.jsonl /opt/canonym/seeds/registry.jsonl
# Production by default: the service refuses to start without CANONYM_API_KEYS. Without
# CANONYM_DATABASE_URL the registry is a SQLite file in the canonym user's home (mount a volume
# there to keep it).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CANONYM_ENVIRONMENT=production \
    CANONYM_HOST=0.0.0.0 \
    CANONYM_PORT=8000 \
    CANONYM_WORKERS=1 \
    CANONYM_SEED_FILE=/opt/canonym/seeds/registry.jsonl \
    CANONYM_DATABASE_PATH=/var/lib/canonym/canonym.db
WORKDIR /var/lib/canonym
USER 10001:10001
EXPOSE 8000
# Liveness: /healthz answers as soon as the server listens (the index may still be loading).
# The slim image has no curl; Python's urllib raises, and so exits non-zero, on any error.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CANONYM_PORT', '8000') + '/healthz', timeout=4)"]
# canonym serve runs uvicorn with CANONYM_WORKERS processes; on SIGTERM in-flight requests get
# CANONYM_SHUTDOWN_TIMEOUT_SECONDS to finish.
CMD ["canonym", "serve"]
