// test/invoke-mode.test.ts: -c functionUrlInvokeMode (BUFFERED, the default, or
// RESPONSE_STREAM) sets the Function URL's InvokeMode and the function's
// LAMBDA_INVOKE_MODE together (docs/lambda.md): a URL that streams in front of a
// bootstrap that buffers (or the other way round) answers nothing a client can read.
// Both settings, both packages (image, zip); any other value stops synthesis.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVOKE_MODES } from '../lib/settings';
import { Json, onlyResource, stackTemplate } from './repo';
import { synthWith } from './synth';

/** The Function URL's InvokeMode, the LAMBDA_INVOKE_MODE of the function it targets. */
function modes(template: Json): { url: string; env: string } {
  const [fnId, fn] = onlyResource(template, 'AWS::Lambda::Function');
  const [, url] = onlyResource(template, 'AWS::Lambda::Url');
  assert.deepEqual(url.Properties.TargetFunctionArn, { 'Fn::GetAtt': [fnId, 'Arn'] }, 'the URL targets the function');
  return { url: url.Properties.InvokeMode, env: fn.Properties.Environment?.Variables?.LAMBDA_INVOKE_MODE };
}

describe('the Function URL\'s invoke mode and the bootstrap\'s LAMBDA_INVOKE_MODE', () => {
  it('make cdk-synth (no setting): BUFFERED on both', () => {
    assert.deepEqual(modes(stackTemplate()), { url: 'BUFFERED', env: 'BUFFERED' });
  });

  for (const lambdaPackage of ['image', 'zip']) {
    for (const mode of INVOKE_MODES) {
      it(`-c functionUrlInvokeMode=${mode}, ${lambdaPackage}: ${mode} on both`, () => {
        assert.deepEqual(modes(synthWith({ functionUrlInvokeMode: mode, lambdaPackage }).toJSON()), { url: mode, env: mode });
      });
    }
  }

  it('an empty value is the default, as for the other settings (-c functionUrlInvokeMode=)', () => {
    assert.deepEqual(modes(synthWith({ functionUrlInvokeMode: '' }).toJSON()), { url: 'BUFFERED', env: 'BUFFERED' });
  });

  const bad: [string, unknown][] = [
    ['lower case', 'response_stream'],
    ['a trailing space', 'RESPONSE_STREAM '],
    ['a near miss', 'STREAMING'],
    ['a boolean', true],
    ['the bootstrap\'s other spelling', 'streaming'],
  ];
  for (const [name, value] of bad) {
    it(`refuses ${name} (${JSON.stringify(value)}) at synthesis, naming the setting and the allowed values`, () => {
      const want = `context functionUrlInvokeMode: expected BUFFERED or RESPONSE_STREAM, got ${JSON.stringify(value)}`;
      assert.throws(() => synthWith({ functionUrlInvokeMode: value }), (e: Error) => e.message === want);
    });
  }
});
