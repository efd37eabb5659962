// test/image-agreement.test.ts: the synthesized stack (make cdk-synth's
// build/cdk.out) runs the image the way the Dockerfile builds it: port, health
// check path and command, entrypoint, EXECUTION_ENVIRONMENT, stop timing. The
// hostile cases change one fact of the Dockerfile or its scripts, or one property
// of the template, and the check must name the disagreement.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as image from '../lib/image';
import { checkAgreement, imageFacts } from './agreement';
import { readRepoFile, stackTemplate } from './repo';

const template = stackTemplate();
const real = (rel: string): string => readRepoFile(rel);
/** The repository's files with one of them rewritten. */
const edited = (file: string, from: RegExp, to: string) => (rel: string): string => {
  const text = readRepoFile(rel);
  if (rel !== file) return text;
  assert.match(text, from, `${file} no longer contains ${from}: update this test`);
  return text.replace(from, to);
};

describe('image and stack agree', () => {
  it('reads the facts from the Dockerfile and its scripts', () => {
    const facts = imageFacts(real);
    assert.equal(facts.port, 8080);
    assert.equal(facts.healthPath, '/');
    assert.deepEqual(facts.healthCommand, ['CMD', '/usr/local/bin/healthcheck']);
    assert.deepEqual(facts.entrypoint, ['/usr/local/bin/entrypoint']);
    assert.deepEqual(facts.cmd, []);
    assert.deepEqual(facts.executionEnvironment, { ecs: 'ecs', lambda: 'lambda' });
    assert.ok('GRACEFUL_SHUTDOWN_TIMEOUT' in facts.lighttpdEnv);
    assert.equal(facts.entrypointPicksLambda, true);
  });

  it('the synthesized template has no disagreement with the image', () => {
    assert.deepEqual(checkAgreement(imageFacts(real), template), []);
  });

  it('lib/image.ts says what the Dockerfile says', () => {
    const facts = imageFacts(real);
    assert.equal(image.CONTAINER_PORT, facts.port);
    assert.equal(image.HEALTH_CHECK_PATH, facts.healthPath);
    assert.deepEqual(image.HEALTH_CHECK_COMMAND, facts.healthCommand);
    assert.deepEqual(image.ENTRYPOINT, facts.entrypoint);
    assert.deepEqual(image.EXECUTION_ENVIRONMENT, facts.executionEnvironment);
  });
});

describe('a disagreement is found', () => {
  const cases: [string, (rel: string) => string, RegExp][] = [
    ['EXPOSE and ENV PORT 9090',
      (rel) => edited('Dockerfile', /ENV PORT=8080( .*)?\nEXPOSE 8080/, 'ENV PORT=9090$1\nEXPOSE 9090')(rel)
        .replace('${PORT:-8080}', rel === 'docker/healthcheck' ? '${PORT:-9090}' : '${PORT:-8080}'),
      /ECS port mapping.*9090[\s\S]*ECS target group port/],
    ['another ENTRYPOINT', edited('Dockerfile', /ENTRYPOINT \["\/usr\/local\/bin\/entrypoint"\]/,
      'ENTRYPOINT ["/usr/local/bin/start"]\nCOPY docker/entrypoint /usr/local/bin/start'),
      /image entrypoint: \["\/usr\/local\/bin\/start"\], the stack/],
    ['a CMD with arguments', edited('Dockerfile', /^CMD \[\]$/m, 'CMD ["serve"]'), /image CMD/],
    ['an entrypoint that no longer picks Lambda mode', edited('docker/entrypoint',
      /if \[ -n "\$\{AWS_LAMBDA_RUNTIME_API-\}" \]; then/, 'if false; then'), /image entrypoint mode/],
    ['a health check on /healthz', edited('docker/healthcheck', /GET \/ HTTP/, 'GET /healthz HTTP'),
      /ECS target group health path: \/, the image's health check requests \/healthz/],
    ['another HEALTHCHECK command', edited('Dockerfile', /CMD \["\/usr\/local\/bin\/healthcheck"\]/,
      'CMD ["/usr/local/bin/healthcheck", "--deep"]'), /ECS health check command/],
    ['EXECUTION_ENVIRONMENT fargate', edited('docker/entrypoint', /EXECUTION_ENVIRONMENT:-ecs\}/,
      'EXECUTION_ENVIRONMENT:-fargate}'), /ECS EXECUTION_ENVIRONMENT: ecs, the entrypoint's HTTP mode sets fargate/],
    ['EXECUTION_ENVIRONMENT aws-lambda', edited('docker/entrypoint', /EXECUTION_ENVIRONMENT:-lambda\}"\n\tserve/,
      'EXECUTION_ENVIRONMENT:-aws-lambda}"\n\tserve'), /Lambda \S+ EXECUTION_ENVIRONMENT/],
    ['a graceful stop lighttpd no longer reads', edited('lighttpd.conf', /\$\{GRACEFUL_SHUTDOWN_TIMEOUT:-8\}/g,
      '${GRACEFUL_TIMEOUT:-8}'), /ECS GRACEFUL_SHUTDOWN_TIMEOUT: lighttpd.conf does not read it/],
  ];
  for (const [name, read, expected] of cases) {
    it(`Dockerfile side: ${name}`, () => {
      const problems = checkAgreement(imageFacts(read), template);
      assert.match(problems.join('\n'), expected);
    });
  }

  it('Dockerfile side: a health check script on another port than EXPOSE', () => {
    assert.throws(() => imageFacts(edited('docker/healthcheck', /\$\{PORT:-8080\}/, '${PORT:-80}')),
      /defaults to port 80, the image exposes 8080/);
  });

  it('Dockerfile side: the build stage no longer installs the health check script', () => {
    assert.throws(() => imageFacts(edited('Dockerfile', /install -m 755 docker\/entrypoint docker\/healthcheck \/usr\/local\/bin\//,
      'install -m 755 docker/entrypoint /usr/local/bin/')), /no COPY or install puts \/usr\/local\/bin\/healthcheck/);
  });

  it('Dockerfile side: the runtime stage no longer copies the build stage\'s /rootfs', () => {
    assert.throws(() => imageFacts(edited('Dockerfile', /^COPY --from=build \/rootfs\/ \/$/m, 'COPY --from=build /out/ /')),
      /no COPY or install puts \/usr\/local\/bin\/healthcheck/);
  });

  it('Dockerfile side: assemble-rootfs no longer copies /usr/local', () => {
    assert.throws(() => imageFacts(edited('docker/assemble-rootfs', /cp -a \/usr\/local "\$root\/usr\/"/,
      'cp -a /usr/local/lib "$root/usr/local/"')), /no COPY or install puts \/usr\/local\/bin\/healthcheck/);
  });

  const mutate = (change: (t: any) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const copy = JSON.parse(JSON.stringify(template));
    change(copy);
    return checkAgreement(imageFacts(real), copy).join('\n');
  };
  const byType = (t: any, type: string) => // eslint-disable-line @typescript-eslint/no-explicit-any
    Object.values(t.Resources).filter((r: any) => r.Type === type) as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('stack side: a container command override', () => {
    assert.match(mutate((t) => { byType(t, 'AWS::ECS::TaskDefinition')[0].Properties.ContainerDefinitions[0].Command = ['sh']; }),
      /ECS command/);
  });
  it('stack side: a Lambda ImageConfig entrypoint', () => {
    assert.match(mutate((t) => { byType(t, 'AWS::Lambda::Function')[0].Properties.ImageConfig = { EntryPoint: ['/bootstrap'] }; }),
      /Lambda \S+ entrypoint/);
  });
  it('stack side: the target group health check on /health', () => {
    assert.match(mutate((t) => {
      for (const tg of byType(t, 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
        if (tg.Properties.TargetType === 'ip') tg.Properties.HealthCheckPath = '/health';
      }
    }), /ECS target group health path: \/health/);
  });
  it('stack side: stopTimeout not longer than the graceful stop', () => {
    assert.match(mutate((t) => { byType(t, 'AWS::ECS::TaskDefinition')[0].Properties.ContainerDefinitions[0].StopTimeout = 20; }),
      /ECS stopTimeout: 20 s/);
  });
});
