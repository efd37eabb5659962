# One image for ECS/Fargate and AWS Lambda, with no ENTRYPOINT/CMD override on
# either: docker/entrypoint runs the Lambda runtime (bootstrap) when Lambda set
# AWS_LAMBDA_RUNTIME_API, else lighttpd + the FastCGI responder on $PORT.
#
#   docker build -t math-service .        (after `make deps-run`: needs node_modules/)
#   docker run --rm -p 8080:8080 math-service
#   podman build --format docker -t math-service .   (docker format keeps HEALTHCHECK)
#
# Fully qualified base names: Docker reads them as usual, and podman (see
# docker/podman-env) finds its locally made stand-in without a registry.

# ---- build: compile, run the unit tests, install into /out -----------------
FROM docker.io/library/debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      gcc libc6-dev make pkg-config \
      libcjson-dev libfcgi-dev libcriterion-dev \
      libbrotli-dev libzstd-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j2 all \
 && make test-unit \
 && make install DESTDIR=/out PREFIX=/usr/local

# ---- runtime: lighttpd, the shared libraries, our files; nothing else -------
FROM docker.io/library/debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      lighttpd libcjson1 libfcgi0ldbl libbrotli1 libzstd1 zlib1g \
 && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/lib/dpkg/*-old \
      /var/log/apt /var/log/dpkg.log /var/log/alternatives.log \
 && useradd --uid 10001 --user-group --home-dir /nonexistent \
      --no-create-home --shell /usr/sbin/nologin app
COPY --from=build /out/usr/local/ /usr/local/
COPY docker/entrypoint docker/healthcheck /usr/local/bin/

# lighttpd listens on $PORT; it needs no root for a port above 1023.
USER app
ENV PORT=8080
EXPOSE 8080
# ECS's task definition has its own health check (deploy/ecs-task-definition.json);
# this one serves `docker run` and ECS tasks that leave it out. No curl in the
# image: the check is a plain HTTP GET / from bash.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/healthcheck"]
ENTRYPOINT ["/usr/local/bin/entrypoint"]
# No arguments: the entrypoint chooses (and the base image's CMD ["bash"] must not reach it).
CMD []
