# syntax=docker/dockerfile:1
# Build stage: install from the one lockfile and compile Outro into a single executable.
FROM oven/bun:1.4.5-debian AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN bun install --frozen-lockfile --ignore-scripts
COPY tsconfig.json bunfig.toml ./
COPY src ./src
COPY views ./views
RUN bun build --compile --minify-syntax --minify-whitespace src/index.ts src/db/checkpointer-worker.ts src/stats/housekeeping-worker.ts src/tracking/sender-worker.ts --outfile /out/outro

# Run stage: glibc, CA certificates for the Graph API, a non-root user and one volume.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin outro \
 && mkdir -p /data && chown outro:outro /data
COPY --from=build /out/outro /usr/local/bin/outro
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
USER outro
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/outro"]
