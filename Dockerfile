# The production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLASK_APP=council
WORKDIR /app
COPY pyproject.toml README.md ./
COPY council ./council
COPY workers ./workers
COPY migrations ./migrations
COPY templates ./templates
COPY babel.cfg ./
RUN pip install --no-cache-dir . && pybabel compile -q -d council/translations \
    && useradd --create-home council && mkdir -p /app/instance && chown council /app/instance
USER council
EXPOSE 8000
CMD ["gunicorn", "-c", "python:council.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "council:create_app()"]
