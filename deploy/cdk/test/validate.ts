// test/validate.ts: runs AWS's offline CloudFormation validator
// (@aws/cloudformation-validate: the resource provider schemas of every resource
// type plus the cfn-lint rules, compiled to WASM) over a template and returns the
// findings that count: every FATAL and ERROR, and every WARN not on the short
// list of warnings accepted below (each with the reason). INFO is ignored.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RegoEngine, TemplateFile, type Engine, type StandardDiagnostic } from '@aws/cloudformation-validate';

/** A finding accepted as harmless, and why. */
export interface Accepted {
  ruleId: string;
  /** Matched against the message. */
  message: RegExp;
  why: string;
}

/** Accepted in every template: what CDK itself generates. */
export const CDK_ACCEPTED: Accepted[] = [
  {
    ruleId: 'W3005', message: /dependency already enforced by a 'GetAtt' at 'Properties\.Role'/,
    why: 'aws-cdk-lib adds DependsOn on a Lambda function\'s role as well as the GetAtt',
  },
  {
    ruleId: 'W9002', message: /^Property 'SourceArn' has a hardcoded ARN/,
    why: 'the ALB\'s invoke permission names its target group by an ARN pattern: a Ref would be a cycle (the group waits for the permission)',
  },
];

let engine: Engine | undefined;

/** One engine for the whole run (compiling the rules takes a few seconds). */
function theEngine(): Engine {
  engine ??= new RegoEngine();
  return engine;
}

export function format(d: StandardDiagnostic): string {
  const where = [d.entity?.logicalId, d.propertyPath].filter(Boolean).join(' ');
  return `${d.severity} ${d.ruleId} ${where}: ${d.message}`;
}

/** Findings of a template file that are not accepted; throws if the validator could not finish. */
export function findings(file: string, accepted: Accepted[] = CDK_ACCEPTED): string[] {
  const report = theEngine().validateStandard(new TemplateFile(file), { severityLevel: 'WARN' });
  if (report.status !== 'OK') throw new Error(`${file}: validation ${report.status}`);
  return report.diagnostics
    .filter((d) => !accepted.some((a) => a.ruleId === d.ruleId && a.message.test(d.message)))
    .map(format);
}

/** Findings of a template given as an object (written to a temporary file). */
export function findingsOf(template: unknown, accepted: Accepted[] = CDK_ACCEPTED): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'math-service-validate-'));
  try {
    const file = path.join(dir, 'template.json');
    fs.writeFileSync(file, JSON.stringify(template));
    return findings(file, accepted);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
