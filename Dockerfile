# Roomhire: a slim image that runs gunicorn as a non-root user.
FROM python:3.11-slim AS build
# Node.js and npm only here, to install the NHS.UK design system's compiled files (make assets).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md Makefile package.json package-lock.json ./
COPY service ./service
COPY adapters ./adapters
RUN make assets && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
# Pango (with HarfBuzz and its subsetting library) for WeasyPrint's PDF invoices, and fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 roomhire
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY invoice_templates /app/invoice_templates
WORKDIR /app
USER roomhire
ENV ROOMHIRE_DATA_DIR=/app/var ROOMHIRE_TEMPLATE_DIR=/app/invoice_templates PYTHONUNBUFFERED=1
EXPOSE 8000
# Migrations first (idempotent), then gunicorn. Set ROOMHIRE_DATABASE_URL for PostgreSQL.
CMD ["sh", "-c", "roomhire db upgrade && exec roomhire serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
