// test/agreement.ts: does a synthesized template run the image the way the image
// expects? Compares the facts read from the Dockerfile and its scripts
// (test/dockerfile.ts) with the ECS task definition, the ALB target group and the
// Lambda function of the template; returns one line per disagreement ([] if none).
import {
  copiedFrom, entrypointEnvironments, healthCheckPath, healthCheckPort, parseDockerfile,
} from './dockerfile';
import * as image from '../lib/image';
import { Json, onlyResource, resourcesOfType } from './repo';

/** What the stack relies on and does not put in the template (lib/image.ts). */
export type StackAssumptions = Pick<typeof image, 'ENTRYPOINT'>;

export interface ImageFacts {
  port: number;
  healthPath: string;
  healthCommand: string[];
  entrypoint: string[];
  cmd: string[];
  executionEnvironment: { ecs: string; lambda: string };
  /** The entrypoint script starts the Lambda runtime when AWS_LAMBDA_RUNTIME_API is set. */
  entrypointPicksLambda: boolean;
  /** Environment variables lighttpd.conf reads (${NAME:-default}). */
  lighttpdEnv: Record<string, string>;
}

/** Reads the image's facts; `read` returns a file of the Docker context by relative path. */
export function imageFacts(read: (relative: string) => string): ImageFacts {
  const df = parseDockerfile(read('Dockerfile'));
  const problems: string[] = [];
  if (df.exposedPorts.length !== 1) problems.push(`EXPOSE: expected one port, got ${df.exposedPorts}`);
  const port = df.exposedPorts[0];
  if (df.env.PORT !== String(port)) problems.push(`ENV PORT=${df.env.PORT} is not the exposed port ${port}`);
  if (!df.entrypoint) problems.push('no ENTRYPOINT');
  if (!df.healthcheck || df.healthcheck.length < 2) problems.push(`HEALTHCHECK: expected CMD ["script", ...], got ${df.healthcheck}`);
  if (problems.length) throw new Error(`Dockerfile: ${problems.join('; ')}`);

  const script = read(copiedFrom(df, df.healthcheck![1], read));
  if (healthCheckPort(script) !== port) {
    throw new Error(`health check script defaults to port ${healthCheckPort(script)}, the image exposes ${port}`);
  }
  const entrypointScript = read(copiedFrom(df, df.entrypoint![0], read));
  const lighttpdEnv: Record<string, string> = {};
  for (const m of read('lighttpd.conf').matchAll(/\$\{([A-Z_]+):-([^}]*)\}/g)) lighttpdEnv[m[1]] = m[2];
  return {
    port,
    healthPath: healthCheckPath(script),
    healthCommand: df.healthcheck!,
    entrypoint: df.entrypoint!,
    cmd: df.cmd ?? [],
    executionEnvironment: entrypointEnvironments(entrypointScript),
    entrypointPicksLambda: /if \[ -n "\$\{AWS_LAMBDA_RUNTIME_API-\}" \]; then\s+run_lambda/.test(entrypointScript),
    lighttpdEnv,
  };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Disagreements between the image and a synthesized template. The stack never
 * overrides the entrypoint or CMD (on ECS or Lambda): it relies on the image's
 * entrypoint being the one it was written for, with no arguments, choosing the
 * Lambda runtime by itself. So that is checked against `assumed` too.
 */
export function checkAgreement(img: ImageFacts, template: Json, assumed: StackAssumptions = image): string[] {
  const bad: string[] = [];
  const expect = (what: string, ok: boolean, detail: string): void => { if (!ok) bad.push(`${what}: ${detail}`); };

  expect('image entrypoint', same(img.entrypoint, assumed.ENTRYPOINT),
    `${JSON.stringify(img.entrypoint)}, the stack (no override) is written for ${JSON.stringify(assumed.ENTRYPOINT)}`);
  expect('image CMD', img.cmd.length === 0, `${JSON.stringify(img.cmd)}: the entrypoint must get no arguments to pick its mode`);
  expect('image entrypoint mode', img.entrypointPicksLambda,
    'docker/entrypoint no longer starts the Lambda runtime when AWS_LAMBDA_RUNTIME_API is set');

  // ECS: the container.
  const [, task] = onlyResource(template, 'AWS::ECS::TaskDefinition');
  const containers: Json[] = task.Properties.ContainerDefinitions;
  expect('ECS container definitions', containers.length === 1, `${containers.length}, expected 1`);
  const c = containers[0] ?? {};
  const ports = (c.PortMappings ?? []).map((m: Json) => m.ContainerPort);
  expect('ECS port mapping', same(ports, [img.port]), `${JSON.stringify(ports)}, image exposes ${img.port}`);
  const env: Record<string, string> = Object.fromEntries((c.Environment ?? []).map((e: Json) => [e.Name, e.Value]));
  expect('ECS PORT', (env.PORT ?? String(img.port)) === String(img.port), `${env.PORT}, image listens on ${img.port}`);
  expect('ECS health check command', same(c.HealthCheck?.Command, img.healthCommand),
    `${JSON.stringify(c.HealthCheck?.Command)}, image has ${JSON.stringify(img.healthCommand)}`);
  expect('ECS entrypoint', c.EntryPoint === undefined || same(c.EntryPoint, img.entrypoint),
    `${JSON.stringify(c.EntryPoint)} overrides the image's ${JSON.stringify(img.entrypoint)}`);
  expect('ECS command', c.Command === undefined || same(c.Command, img.cmd),
    `${JSON.stringify(c.Command)} overrides the image's ${JSON.stringify(img.cmd)}`);
  expect('ECS EXECUTION_ENVIRONMENT', env.EXECUTION_ENVIRONMENT === img.executionEnvironment.ecs,
    `${env.EXECUTION_ENVIRONMENT}, the entrypoint's HTTP mode sets ${img.executionEnvironment.ecs}`);
  for (const name of Object.keys(env)) {
    if (/^(PORT|GRACEFUL_SHUTDOWN_TIMEOUT|FCGI_PROCS|BIND|ACCESS_LOG)$/.test(name)) {
      expect(`ECS ${name}`, name in img.lighttpdEnv, 'lighttpd.conf does not read it');
    }
  }
  const grace = Number(env.GRACEFUL_SHUTDOWN_TIMEOUT ?? img.lighttpdEnv.GRACEFUL_SHUTDOWN_TIMEOUT);
  const stop = c.StopTimeout ?? 30;
  expect('ECS stopTimeout', stop > grace && stop <= 120,
    `${stop} s must be longer than lighttpd's graceful stop (${grace} s) and at most Fargate's 120 s`);

  // ECS: the service and its target group.
  const [, service] = onlyResource(template, 'AWS::ECS::Service');
  const lbs: Json[] = service.Properties.LoadBalancers ?? [];
  expect('ECS service load balancer', lbs.length === 1 && lbs[0].ContainerPort === img.port,
    `${JSON.stringify(lbs.map((l) => l.ContainerPort))}, expected [${img.port}]`);
  const tgId = lbs[0]?.TargetGroupArn?.Ref;
  const tg = template.Resources[tgId]?.Properties ?? {};
  expect('ECS target group port', tg.Port === img.port, `${tg.Port}, image listens on ${img.port}`);
  expect('ECS target group type', tg.TargetType === 'ip', `${tg.TargetType}, awsvpc tasks need ip`);
  expect('ECS target group health path', tg.HealthCheckPath === img.healthPath,
    `${tg.HealthCheckPath}, the image's health check requests ${img.healthPath}`);
  expect('ECS target group health port', tg.HealthCheckPort === undefined || tg.HealthCheckPort === 'traffic-port' ||
    tg.HealthCheckPort === String(img.port), `${tg.HealthCheckPort}`);
  expect('ECS target group health codes', (tg.Matcher?.HttpCode ?? '200') === '200',
    `${tg.Matcher?.HttpCode}, the image's health check accepts 200 only`);

  // Lambda.
  for (const [id, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const p = fn.Properties;
    if (p.PackageType !== 'Image') continue;
    const ic = p.ImageConfig ?? {};
    expect(`Lambda ${id} entrypoint`, ic.EntryPoint === undefined || same(ic.EntryPoint, img.entrypoint),
      `${JSON.stringify(ic.EntryPoint)} overrides the image's ${JSON.stringify(img.entrypoint)}`);
    expect(`Lambda ${id} command`, ic.Command === undefined || same(ic.Command, img.cmd),
      `${JSON.stringify(ic.Command)} overrides the image's ${JSON.stringify(img.cmd)}`);
    const vars = p.Environment?.Variables ?? {};
    expect(`Lambda ${id} EXECUTION_ENVIRONMENT`, vars.EXECUTION_ENVIRONMENT === img.executionEnvironment.lambda,
      `${vars.EXECUTION_ENVIRONMENT}, the entrypoint's Lambda mode sets ${img.executionEnvironment.lambda}`);
  }
  return bad;
}
