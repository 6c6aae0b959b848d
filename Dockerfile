# The site's image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# A CJK font: Chinese text in generated documents and charts must not fall back to boxes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /app app && mkdir -p /app/var/media && chown -R app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "antifraud.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
