FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY teleframe ./teleframe
COPY workers ./workers
COPY config ./config
RUN pip install --no-cache-dir . && useradd --system teleframe
USER teleframe
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--worker-class", "gthread", "teleframe:create_app()"]
