# Baikoo web, worker and beat image (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango; DejaVu covers Cyrillic in PDF exports; gettext compiles catalogues.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock .
RUN pip install -r requirements.lock
COPY . .
# Collected with the production storage (hashed names + manifest); the key is build-only.
RUN PRODUCTION=true SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && useradd --system --home /app baikoo \
 && mkdir -p /data && chown baikoo /data

USER baikoo
ENV PRODUCTION=true \
    BAIKOO_VAR_DIR=/data \
    STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "observation.config.wsgi:application", "--config", "gunicorn.conf.py"]
