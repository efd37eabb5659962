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
      libcjson-dev libfcgi-dev libsystemd-dev libcriterion-dev lighttpd lighttpd-modules-lua \
      libbrotli-dev libzstd-dev zlib1g-dev libmimalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j2 all \
 && make test-unit \
 && make install DESTDIR=/out PREFIX=/usr/local
# The runtime's files: ours, and the few of Debian's that run (docker/assemble-rootfs).
RUN cp -a /out/usr/local/. /usr/local/ \
 && install -m 755 docker/entrypoint docker/healthcheck /usr/local/bin/ \
 && strip /usr/local/lib/math-service/app.cgi /usr/local/lib/math-service/app.fcgi \
      /usr/local/lib/math-service/bootstrap \
 && mkdir /rootfs && docker/assemble-rootfs /rootfs

# ---- runtime: lighttpd, the shared libraries, our files; nothing else -------
# No package manager, no coreutils beyond nproc and env: `ls` and the like are
# not there (debug with `podman run --entrypoint sh`, whose builtins remain).
FROM scratch
COPY --from=build /rootfs/ /

# lighttpd listens on $PORT; it needs no root for a port above 1023.
# Everything lighttpd writes (its workers' sockets, request bodies it buffers)
# goes to /tmp ($TMPDIR; /var/tmp links there): the one volume a read-only root
# filesystem needs.
USER app
ENV PORT=8080 PATH=/usr/local/bin:/usr/sbin:/usr/bin
EXPOSE 8080
# ECS's task definition has its own health check (deploy/ecs-task-definition.json);
# this one serves `docker run` and ECS tasks that leave it out. No curl in the
# image: the check is a plain HTTP GET / from bash.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/healthcheck"]
ENTRYPOINT ["/usr/local/bin/entrypoint"]
# No arguments: the entrypoint chooses.
CMD []
