// lib/nag.ts: cdk-nag's AwsSolutions rules (bin/math-service.ts applies them) report
// nothing that is not fixed in the stack or acknowledged here, each with its reason.
import { Stack, Validations } from 'aws-cdk-lib';

/** Every finding the stack accepts, with why (one line each). */
export const NAG_ACKNOWLEDGED: { id: string; reason: string }[] = [
  { id: 'AwsSolutions-EC23', reason: 'The ALB is the public entry point: 0.0.0.0/0 may reach its listener ports (80, 443) only.' },
  { id: 'AwsSolutions-ECS2', reason: 'The container environment holds settings only (port, trusted proxy range), no secret.' },
  { id: 'AwsSolutions-APIG4', reason: 'A public API by design (like the ALB); abuse is bounded by stage throttling and reserved concurrency.' },
  { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'AWS\'s basic execution policy: CloudWatch Logs writes only, what every function needs.' },
  { id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only actions that take no resource: ecr:GetAuthorizationToken (task pulls the image) and xray:PutTraceSegments/PutTelemetryRecords (active tracing).' },
  { id: 'AwsSolutions-S1', reason: 'The bucket receives the ALB\'s access logs; logging access to the log bucket itself would recurse.' },
];

export function acknowledgeNagFindings(stack: Stack): void {
  for (const finding of NAG_ACKNOWLEDGED) Validations.of(stack).acknowledge(finding);
}

/** Without -c region, the ALB has no access logs (the log-delivery account depends on the region). */
export function acknowledgeNoAccessLogs(stack: Stack): void {
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-ELB2',
    reason: 'Synthesized without -c region: ALB access logging needs the region\'s log-delivery account; give -c region=... to turn it on.',
  });
}
