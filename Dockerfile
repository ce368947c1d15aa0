# One image for every role: `serve` (web + embedded worker, the default) or `worker`.
# Build: docker build -t plenary .   Run: see docs/deployment.md

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
# Install the dependencies through the project's own metadata, then drop the copy of the app
# itself: the runtime stage runs it from /srv/plenary, next to templates/ and migrations/.
RUN /opt/venv/bin/pip install . && /opt/venv/bin/pip uninstall -y plenary

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PLENARY_DATA_DIR=/var/lib/plenary
# LibreOffice converts DOCX/ODT papers to PDF in the worker; without it papers stay valid but
# are marked "not convertible". Build with --build-arg WITH_LIBREOFFICE=0 for a slim web-only image.
ARG WITH_LIBREOFFICE=1
RUN if [ "$WITH_LIBREOFFICE" = "1" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-dejavu-core \
         fonts-wqy-microhei \
      && rm -rf /var/lib/apt/lists/*; \
    fi
RUN groupadd --system --gid 10001 plenary \
 && useradd --system --uid 10001 --gid plenary --home-dir /srv/plenary plenary \
 && mkdir -p /var/lib/plenary && chown plenary:plenary /var/lib/plenary
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/plenary
COPY alembic.ini ./
COPY migrations ./migrations
COPY templates ./templates
COPY app ./app
USER plenary
VOLUME ["/var/lib/plenary"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# `serve` applies migrations first, then starts uvicorn.
ENTRYPOINT ["python", "-m", "app"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
