# deskstream: one image for the API, the relay and the Kafka projector (compose.yaml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DESKSTREAM_DATA=/data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY domain ./domain
COPY projections ./projections
COPY ingest ./ingest
COPY api ./api
COPY schemas ./schemas
COPY relay ./relay
RUN pip install --no-cache-dir . && mkdir -p /data

EXPOSE 8000
ENTRYPOINT ["deskstream"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
