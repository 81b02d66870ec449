# syntax=docker/dockerfile:1
# The CPI pipeline image: one image, every service chosen by command (`cpi serve NAME`).
#
#   docker build -t REGISTRY/cpi:VERSION .
#   docker run --rm REGISTRY/cpi:VERSION serve grader --host 0.0.0.0 --port 8000
#
# Stage 1 builds wheels for the project and its *runtime* dependencies, at exactly the versions
# pinned in requirements.lock (used as constraints, so the lock's dev-only tools are not built).
# Stage 2 is a plain python:3.11-slim with those wheels installed from a local directory and no
# index, no compiler and no pip left behind, running as UID 10001.
# For reproducible builds pin both FROM lines by digest (python:3.11-slim@sha256:...), e.g. with
# Renovate/Dependabot; the tag alone follows Debian and CPython security updates.

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# Build tools only for dependencies that ship no wheel for this platform; none reach the final stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock pyproject.toml ./
COPY deploy/image/check_wheels.py /usr/local/bin/check_wheels.py
# Dependencies first, in their own layer (rebuilt only when the lock or pyproject changes): build
# the project's metadata with empty package folders, keep the dependency wheels, drop that stub.
RUN mkdir -p contracts eventstore services cpi \
 && pip wheel --wheel-dir /wheels --constraint requirements.lock . \
 && rm -rf /wheels/cpi_pipeline-*.whl build ./*.egg-info
# Then the project itself, no dependency resolution, and the guard that the wheelhouse is exactly the lock.
COPY contracts ./contracts
COPY eventstore ./eventstore
COPY services ./services
COPY cpi ./cpi
RUN pip wheel --wheel-dir /wheels --no-deps . \
 && python /usr/local/bin/check_wheels.py /wheels requirements.lock

# The GOV.UK Frontend assets the form serves, at the version govuk-frontend-jinja 4.1.0 is built for.
FROM node:20-slim AS frontend
WORKDIR /frontend
RUN npm install --no-audit --no-fund --save-exact govuk-frontend@6.3.0

FROM python:3.11-slim AS runtime
LABEL org.opencontainers.image.title="cpi-pipeline" \
      org.opencontainers.image.description="Community Partnership Information pipeline (intake, sanitiser, grader, notifier, triage, relay)"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    HOME=/tmp \
    TMPDIR=/tmp
# A fixed, non-root identity: Kubernetes' runAsUser/runAsGroup 10001 match it.
RUN groupadd --system --gid 10001 cpi \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin cpi
# Install from the builder's wheels only (bind-mounted, so they add no layer), then remove pip:
# nothing installs anything at run time.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    --mount=type=bind,source=requirements.lock,target=/tmp/requirements.lock \
    pip install --no-index --find-links=/wheels --constraint /tmp/requirements.lock cpi-pipeline \
 && python -m pip uninstall -y pip setuptools wheel \
 && cpi --help > /dev/null
COPY --from=frontend /frontend/node_modules/govuk-frontend/dist/govuk /opt/govuk-frontend
ENV CPI_FORM_FRONTEND_DIR=/opt/govuk-frontend
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000
# Kubernetes uses its own probes (/healthz, /readyz); this one serves `docker run` with the default port.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["cpi"]
CMD ["serve", "intake", "--host", "0.0.0.0", "--port", "8000"]
