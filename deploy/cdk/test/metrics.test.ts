// test/metrics.test.ts: the service's EMF metrics are on for both compute targets,
// with the namespace the dashboard reads, and the dashboard draws every EMF metric
// for both targets (docs/observability.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { EMF_DIMENSIONS, EMF_METRICS, METRICS_NAMESPACE, ROUTES_QUERY } from '../lib/dashboard';
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
      assert.equal(env.METRICS_INTERVAL, undefined, 'the default interval (60 s: one line per process a minute)');
    });

    it(`${name}: the function writes EMF lines in the same namespace`, () => {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ METRICS: 'emf', METRICS_NAMESPACE }) },
      });
    });

    it(`${name}: one dashboard draws requests, 5xx and p99 of both targets, each with its EMF dimensions`, () => {
      const dashboards = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
      assert.equal(dashboards.length, 1);
      const body = JSON.stringify(dashboards[0][1].Properties.DashboardBody);
      // The FastCGI lines carry one dimension, target (app/http/emf.c emf_flush); the
      // function's target and route (emf_write_one). A SEARCH with a dimension the
      // metric does not have finds nothing, silently.
      assert.deepEqual(EMF_DIMENSIONS, { fcgi: ['target'], lambda: ['target', 'route'] });
      const q = '\\\\\\"';
      for (const [target, dims] of Object.entries(EMF_DIMENSIONS)) {
        for (const metric of Object.values(EMF_METRICS)) {
          const schema = [METRICS_NAMESPACE, ...dims].join(',');
          assert.ok(body.includes(`{${schema}} MetricName=${q}${metric}${q} target=${q}${target}${q}`),
            `a SEARCH for ${metric} of ${target} in {${schema}}`);
        }
      }
      assert.ok(!body.includes(`{${METRICS_NAMESPACE},target,route} MetricName=${q}${EMF_METRICS.requests}${q} target=${q}fcgi${q}`),
        'no SEARCH for a route dimension the FastCGI lines do not have');
      assert.match(body, /'p99'/);
    });

    it(`${name}: the ECS per-route table is a Logs Insights query on the ECS log group`, () => {
      const [[, task]] = resourcesOfType(json, 'AWS::ECS::TaskDefinition');
      const logGroup = task.Properties.ContainerDefinitions[0].LogConfiguration.Options['awslogs-group'];
      const [dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
      const body = JSON.stringify(dashboard[1].Properties.DashboardBody);
      assert.ok(body.includes('unnest line.routes into r'), 'the query unnests the routes breakdown');
      assert.ok(body.includes('by r.route'), 'and adds it up per route');
      assert.equal(ROUTES_QUERY.filter((l) => l.includes('stats')).length, 1);
      // The log group is a reference in the body's Fn::Join: the same as the task's.
      assert.ok(JSON.stringify(dashboard[1].Properties).includes(JSON.stringify(logGroup)),
        `the query reads the task's log group ${JSON.stringify(logGroup)}`);
    });
  }
});
