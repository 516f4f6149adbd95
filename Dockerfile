FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY teleframe ./teleframe
COPY workers ./workers
COPY config ./config
RUN pip install --no-cache-dir . && useradd --system teleframe \
    && mkdir -p /var/lib/teleframe/metrics && chown teleframe /var/lib/teleframe/metrics
# every process (gunicorn workers, Celery workers) counts into this directory; mount one volume
# there for all containers of a host and the API's /metrics shows them all (README, Health)
ENV PROMETHEUS_MULTIPROC_DIR=/var/lib/teleframe/metrics
USER teleframe
EXPOSE 8000
CMD ["gunicorn", "-c", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "teleframe:create_app()"]
