// lib/image.ts: what the stack assumes about the image the repository's Dockerfile
// builds. Written out here, not read from the Dockerfile, so that the tests
// (test/image-agreement.test.ts) can parse the Dockerfile, docker/healthcheck and
// docker/entrypoint and fail when the two disagree.
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';

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

/** Both targets run on one architecture (context `architecture`); the image is built for it. */
export const ARCHITECTURES = {
  x86_64: { dockerPlatform: 'linux/amd64', ecs: ecs.CpuArchitecture.X86_64, lambda: lambda.Architecture.X86_64 },
  arm64: { dockerPlatform: 'linux/arm64', ecs: ecs.CpuArchitecture.ARM64, lambda: lambda.Architecture.ARM_64 },
} as const;

/**
 * docker build --output for the asset: a plain image with Docker media types. BuildKit
 * then adds no attestation manifest, so ECR holds a single-platform image manifest, not
 * an image index (which Lambda refuses). docs/deploy-aws.md also names
 * BUILDX_NO_DEFAULT_ATTESTATIONS=1 for builders that ignore it.
 */
export const IMAGE_OUTPUTS = ['type=image,oci-mediatypes=false'];

/**
 * Timing that must agree (test/stack.test.ts checks it): the ALB drains a target for
 * DEREGISTRATION_DELAY before ECS sends SIGTERM; lighttpd then finishes requests in
 * flight for GRACEFUL_SHUTDOWN_TIMEOUT; ECS kills after STOP_TIMEOUT. The ALB keeps
 * idle connections ALB_IDLE_TIMEOUT; lighttpd must keep them longer (lighttpd.conf).
 */
export const DEREGISTRATION_DELAY_SECONDS = 20;
export const ALB_IDLE_TIMEOUT_SECONDS = 60;
/** ECS ignores failed health checks this long after a task starts. */
export const HEALTH_CHECK_GRACE_SECONDS = 60;
/** Scaling in waits this long after a change (scaling out waits 60 s). */
export const SCALE_IN_COOLDOWN_SECONDS = 300;

/** The Lambda zip (make lambda-zip), relative to the repository root: -c lambdaPackage=zip. */
export const LAMBDA_ZIP = 'build/lambda.zip';

/** Days the ALB's access logs are kept in their bucket. */
export const ACCESS_LOG_DAYS = 90;

/** The range of a VPC the stack creates. */
export const NEW_VPC_CIDR = '10.42.0.0/16';

/** The Lambda target group's name (at most 32 characters): its invoke permission names it. */
export function lambdaTargetGroupName(stackName: string): string {
  return `${stackName.slice(0, 25).replace(/-+$/, '')}-lambda`;
}

/** Fargate task size and Lambda settings, as in deploy/ecs-task-definition.json and deploy/template.yaml. */
export const FARGATE_CPU = 256;
export const FARGATE_MEMORY_MIB = 512;
export const LAMBDA_MEMORY_MIB = 256;
export const LAMBDA_TIMEOUT_SECONDS = 10;
