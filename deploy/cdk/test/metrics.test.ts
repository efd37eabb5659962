// test/metrics.test.ts: the service's EMF metrics are on for both compute targets,
// with the namespace the dashboard reads, and the dashboard draws every EMF metric
// for both targets (docs/observability.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { EMF_METRICS, METRICS_NAMESPACE } from '../lib/dashboard';
import { Json, resourcesOfType } from './repo';
import { synthWith } from './synth';

const VARIANTS: [string, Record<string, unknown>][] = [
  ['image function', {}],
  ['arm64', { architecture: 'arm64' }],
];

describe('EMF metrics', () => {
  for (const [name, ctx] of VARIANTS) {
    const t = synthWith(ctx);
    const json = t.toJSON();

    it(`${name}: the container writes EMF lines in the dashboard's namespace`, () => {
      const [[, task]] = resourcesOfType(json, 'AWS::ECS::TaskDefinition');
      const env = Object.fromEntries(task.Properties.ContainerDefinitions[0].Environment.map((e: Json) => [e.Name, e.Value]));
      assert.equal(env.METRICS, 'emf');
      assert.equal(env.METRICS_NAMESPACE, METRICS_NAMESPACE);
      assert.equal(env.METRICS_INTERVAL, undefined, 'the default interval (60 s: one line per route and process a minute)');
    });

    it(`${name}: the function writes EMF lines in the same namespace`, () => {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ METRICS: 'emf', METRICS_NAMESPACE }) },
      });
    });

    it(`${name}: one dashboard draws requests, 5xx and p99 per route for both targets`, () => {
      const dashboards = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
      assert.equal(dashboards.length, 1);
      const body = JSON.stringify(dashboards[0][1].Properties.DashboardBody);
      for (const target of ['fcgi', 'lambda']) {
        for (const metric of Object.values(EMF_METRICS)) {
          assert.ok(body.includes(`{${METRICS_NAMESPACE},target,route} MetricName=\\\\\\"${metric}\\\\\\" target=\\\\\\"${target}\\\\\\"`),
            `a SEARCH for ${metric} of ${target}`);
        }
      }
      assert.match(body, /'p99'/);
    });
  }
});
