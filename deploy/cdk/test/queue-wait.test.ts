// test/queue-wait.test.ts: -c maxQueueWaitMs sets the ECS tasks' FCGI_MAX_QUEUE_WAIT
// (app.fcgi --max-queue-wait; the image's lighttpd.conf then stamps each request), so an
// overloaded task answers a quick 503 instead of leaving the ALB to time out
// (docs/fcgi-manager.md, "Overload"). Default 2000 ms, 0 turns it off, anything else refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_QUEUE_WAIT_MS } from '../lib/settings';
import { Json, onlyResource, stackTemplate } from './repo';
import { synthWith } from './synth';

/** The container's FCGI_MAX_QUEUE_WAIT, undefined when not set. */
function queueWait(template: Json): string | undefined {
  const [, task] = onlyResource(template, 'AWS::ECS::TaskDefinition');
  const [container] = task.Properties.ContainerDefinitions;
  const env: { Name: string; Value: string }[] = container.Environment ?? [];
  return env.find((e) => e.Name === 'FCGI_MAX_QUEUE_WAIT')?.Value;
}

describe('the ECS tasks\' queue-wait limit (FCGI_MAX_QUEUE_WAIT)', () => {
  it(`make cdk-synth (no setting): ${DEFAULT_MAX_QUEUE_WAIT_MS} ms`, () => {
    assert.equal(queueWait(stackTemplate()), String(DEFAULT_MAX_QUEUE_WAIT_MS));
  });

  for (const [value, want] of [['500', '500'], [60000, '60000'], ['', String(DEFAULT_MAX_QUEUE_WAIT_MS)]] as const) {
    it(`-c maxQueueWaitMs=${JSON.stringify(value)}: ${want}`, () => {
      assert.equal(queueWait(synthWith({ maxQueueWaitMs: value }).toJSON()), want);
    });
  }

  it('-c maxQueueWaitMs=0: no limit, the variable is not set (lighttpd loads no mod_magnet)', () => {
    assert.equal(queueWait(synthWith({ maxQueueWaitMs: '0' }).toJSON()), undefined);
  });

  for (const value of ['-1', '60001', '1.5', '2s', ' 500', 'true', true, '0x10']) {
    it(`refuses ${JSON.stringify(value)} at synthesis, naming the setting and the range`, () => {
      const want = `context maxQueueWaitMs: expected an integer from 0 (off) to 60000, got ${JSON.stringify(value)}`;
      assert.throws(() => synthWith({ maxQueueWaitMs: value }), (e: Error) => e.message === want);
    });
  }
});
