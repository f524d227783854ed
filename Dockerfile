# Production image: gunicorn serving the portal; the same image runs the worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint lays out the PDFs with Pango and needs fonts (reports/pdf.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir 'uv==0.13.9' \
    && useradd --system --create-home --home-dir /app portal

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY --chown=portal:portal . .
RUN python manage.py compile_translations \
    && SECRET_KEY=build-only-key-build-only-key-build-only-key-build-only \
       python manage.py collectstatic --no-input \
    && mkdir -p /app/var && chown -R portal:portal /app/var /app/staticfiles

USER portal
EXPOSE 8000
# --timeout: a request that takes longer is killed and the worker replaced. Every PDF is
# stopped earlier (PDF_RENDER_TIMEOUT, 60 s) with a message, so only a real hang gets here.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--graceful-timeout", "30", "--access-logfile", "-"]
