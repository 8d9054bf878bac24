# Arbejdsglæde: docker build -t arbejdsglaede . && docker run -p 8000:8000 arbejdsglaede
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ARBEJDSGLAEDE_DATA_DIR=/app/var

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY . .
# Editable: templates, static files, migrations and cards/ are found beside the package.
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 10001 arbejdsglaede \
    && mkdir -p /app/var && chown arbejdsglaede:arbejdsglaede /app/var

USER arbejdsglaede
VOLUME ["/app/var"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["arbejdsglaede", "serve", "--host", "0.0.0.0", "--port", "8000"]
