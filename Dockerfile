# deskstream: one image for the API, the relay and the Kafka projector (compose.yaml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DESKSTREAM_DATA=/data
WORKDIR /app

# Every package pyproject.toml installs ([tool.setuptools.packages.find] include), one COPY each:
# tests/unit/test_dockerfile.py fails when one is missing.
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY application ./application
COPY projections ./projections
COPY ingest ./ingest
COPY api ./api
COPY schemas ./schemas
COPY relay ./relay
RUN pip install --no-cache-dir . \
    && groupadd --system --gid 10001 deskstream \
    && useradd --system --uid 10001 --gid deskstream --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin deskstream \
    && mkdir -p /data && chown deskstream:deskstream /data && chmod 0700 /data

# The service runs unprivileged; it writes only under /data (a volume in compose.yaml). A new
# named volume takes /data's owner from the image; one made by an older, root image needs
#   docker compose run --rm --no-deps --user root --entrypoint chown api -R 10001:10001 /data
USER deskstream:deskstream

EXPOSE 8000
ENTRYPOINT ["deskstream"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
