// test/repo.ts: where the tests find the repository and `make cdk-synth`'s output,
// and the synthesized templates read from there. A missing cloud assembly is an
// error that says which command makes it, not a skipped test.
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CDK_OUT = path.resolve(process.env.CDK_OUT ?? path.join(REPO_ROOT, 'build', 'cdk.out'));
export const STACK_NAME = 'MathService';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export function readRepoFile(relative: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** A JSON file of the cloud assembly `make cdk-synth` wrote (build/cdk.out/NAME). */
export function readAssembly(name: string): Json {
  const file = path.join(CDK_OUT, name);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run 'make cdk-synth' first (or 'make test-cdk')`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function stackTemplate(): Json {
  return readAssembly(`${STACK_NAME}.template.json`);
}

/** Resources of one type: [logicalId, resource] pairs. */
export function resourcesOfType(template: Json, type: string): [string, Json][] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => (r as Json).Type === type) as [string, Json][];
}

/** The single resource of a type; throws when there are none or several. */
export function onlyResource(template: Json, type: string): [string, Json] {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}
