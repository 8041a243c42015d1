# articled container image: build on Debian bookworm, run on bookworm-slim as a
# non-root user. The content directory is a volume at /data, seeded with the
# sample articles; mount your own over it.
#   docker build -t articled .
#   docker run -p 8080:8080 -v "$PWD/data/articles:/data:ro" articled

FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config \
      libmicrohttpd-dev libcjson-dev libcurl4-openssl-dev zlib1g-dev libxml2-dev libstemmer-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY tools/ tools/
COPY server/ server/
COPY handlers/ handlers/
COPY models/ models/
COPY config/ config/
COPY docs/openapi.json docs/openapi.json
# The page importer (libcurl, libxml2) is a plugin loaded by the first import:
# installed where this build tells the binary to look (models/web.h).
RUN make articled WEBDIR=/usr/local/lib/articled && strip articled build/articled-web.so

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmicrohttpd12 libcjson1 libcurl4 zlib1g libxml2 libstemmer0d \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin articled
COPY --from=build /src/articled /usr/local/bin/articled
COPY --from=build /src/build/articled-web.so /usr/local/lib/articled/articled-web.so
COPY --chown=articled:articled data/articles/ /data/
USER articled
ENV ARTICLED_BIND=0.0.0.0 \
    ARTICLED_PORT=8080 \
    ARTICLED_DATA=/data
VOLUME ["/data"]
EXPOSE 8080
# The binary checks itself: no curl or wget in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["articled", "--healthcheck"]
# SIGTERM (docker stop) finishes in-flight requests, then exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["articled"]
