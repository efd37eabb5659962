// lib/image.ts: what the stack assumes about the image the repository's Dockerfile
// builds. Written out here, not read from the Dockerfile, so that the tests
// (test/image-agreement.test.ts) can parse the Dockerfile, docker/healthcheck and
// docker/entrypoint and fail when the two disagree.

/** Repository root, relative to deploy/cdk/lib/: the Docker build context. */
export const DOCKER_CONTEXT_FROM_LIB = '../../..';

/** Port lighttpd listens on ($PORT; the Dockerfile's EXPOSE and ENV PORT). */
export const CONTAINER_PORT = 8080;

/** Path the image's health check requests (docker/healthcheck: GET / on $PORT). */
export const HEALTH_CHECK_PATH = '/';

/** The image's own health check command (the Dockerfile's HEALTHCHECK CMD). */
export const HEALTH_CHECK_COMMAND = ['CMD', '/usr/local/bin/healthcheck'];

/**
 * The image's entrypoint. The stack overrides neither it nor CMD on ECS or
 * Lambda: docker/entrypoint picks the Lambda runtime or lighttpd by itself.
 */
export const ENTRYPOINT = ['/usr/local/bin/entrypoint'];

/** EXECUTION_ENVIRONMENT as docker/entrypoint defaults it in each mode (/hello names it). */
export const EXECUTION_ENVIRONMENT = { ecs: 'ecs', lambda: 'lambda' } as const;

/**
 * Graceful stop on ECS. ECS sends SIGTERM; the entrypoint relays it to lighttpd as
 * SIGINT, its graceful stop, which lets requests in flight finish for
 * GRACEFUL_SHUTDOWN_TIMEOUT seconds (lighttpd.conf reads it). ECS sends SIGKILL
 * stopTimeout seconds after SIGTERM, so stopTimeout must be longer.
 */
export const GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS = 20;
export const STOP_TIMEOUT_SECONDS = 30;

/** Both targets run on x86_64 (the image is built for linux/amd64). */
export const ARCHITECTURE = 'x86_64';

/** Fargate task size and Lambda settings, as in deploy/ecs-task-definition.json and deploy/template.yaml. */
export const FARGATE_CPU = 256;
export const FARGATE_MEMORY_MIB = 512;
export const LAMBDA_MEMORY_MIB = 256;
export const LAMBDA_TIMEOUT_SECONDS = 10;
