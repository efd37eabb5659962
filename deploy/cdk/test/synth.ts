// test/synth.ts: synthesizes the app's stack in this process with a given context,
// as `cdk synth -c ...` would, into a temporary directory removed afterwards.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MathServiceStack } from '../lib/math-service-stack';
import { readSettings } from '../lib/settings';

/** The stack for a context, with the App it lives in (for cdk-nag's checks). */
export function stackWith(context: Record<string, unknown>): { app: App; stack: MathServiceStack } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'math-service-cdk-'));
  const app = new App({ context, outdir });
  const settings = readSettings((name) => app.node.tryGetContext(name));
  const stack = new MathServiceStack(app, settings.stackName, {
    settings, env: settings.region === undefined ? undefined : { region: settings.region },
  });
  return { app, stack };
}

export function synthWith(context: Record<string, unknown>): Template {
  const { app, stack } = stackWith(context);
  try {
    return Template.fromStack(stack);
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}
