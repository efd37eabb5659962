// lib/parameters.ts: the deploy-time knobs (CloudFormation parameters), each with
// its range, so that a value can change with `cdk deploy --parameters NAME=VALUE`
// (or in the console) without synthesizing again. What each costs or risks is in
// docs/deploy-aws.md.
import { CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';

export interface Parameters {
  readonly routing: CfnParameter;
  readonly ecsMinTasks: CfnParameter;
  readonly ecsMaxTasks: CfnParameter;
  readonly ecsRequestsPerTarget: CfnParameter;
  readonly ecsCpuTarget: CfnParameter;
  readonly lambdaReservedConcurrency: CfnParameter;
  /** True when LambdaReservedConcurrency is not 0 (reserve that many). */
  readonly reservesConcurrency: CfnCondition;
  readonly httpApiRateLimit: CfnParameter;
  readonly httpApiBurstLimit: CfnParameter;
  readonly functionUrlAuthType: CfnParameter;
  /** True when FunctionUrlAuthType is NONE (anyone may call the URL). */
  readonly publicFunctionUrl: CfnCondition;
}

function number(stack: Stack, id: string, def: number, min: number, max: number, description: string): CfnParameter {
  return new CfnParameter(stack, id, { type: 'Number', default: def, minValue: min, maxValue: max, description });
}

/** Defines every parameter of the stack, with its default and range. */
export function defineParameters(stack: Stack, routingValues: string[]): Parameters {
  const routing = new CfnParameter(stack, 'Routing', {
    type: 'String',
    allowedValues: routingValues,
    default: 'ecs',
    description: 'Where the load balancer sends requests: ecs (all to Fargate), lambda (all to the function), split (half each).',
  });
  const ecsMinTasks = number(stack, 'EcsMinTasks', 2, 0, 100,
    'Fewest Fargate tasks (2: one per availability zone survives a zone failure; 0 with Routing=lambda stops paying for Fargate).');
  const ecsMaxTasks = number(stack, 'EcsMaxTasks', 6, 1, 100, 'Most Fargate tasks the scaling may start.');
  const ecsRequestsPerTarget = number(stack, 'EcsRequestsPerTarget', 3000, 10, 1000000,
    'Target tracking: ALB requests per task per minute to aim for.');
  const ecsCpuTarget = number(stack, 'EcsCpuTarget', 60, 10, 90, 'Target tracking: average CPU % of the tasks to aim for.');
  const lambdaReservedConcurrency = number(stack, 'LambdaReservedConcurrency', 0, 0, 1000,
    'Concurrent executions reserved for (and the most allowed to) the function; 0: none reserved, the account pool is shared.');
  const httpApiRateLimit = number(stack, 'HttpApiRateLimit', 100, 1, 10000, 'HTTP API: steady requests per second (stage throttling).');
  const httpApiBurstLimit = number(stack, 'HttpApiBurstLimit', 200, 1, 5000, 'HTTP API: burst of requests (stage throttling).');
  const functionUrlAuthType = new CfnParameter(stack, 'FunctionUrlAuthType', {
    type: 'String',
    allowedValues: ['AWS_IAM', 'NONE'],
    default: 'AWS_IAM',
    description: 'Function URL: AWS_IAM (signed requests only) or NONE (public, throttled only by LambdaReservedConcurrency).',
  });
  const reservesConcurrency = new CfnCondition(stack, 'ReservesConcurrency', {
    expression: Fn.conditionNot(Fn.conditionEquals(lambdaReservedConcurrency.valueAsString, '0')),
  });
  const publicFunctionUrl = new CfnCondition(stack, 'PublicFunctionUrl', {
    expression: Fn.conditionEquals(functionUrlAuthType.valueAsString, 'NONE'),
  });
  return {
    routing, ecsMinTasks, ecsMaxTasks, ecsRequestsPerTarget, ecsCpuTarget, lambdaReservedConcurrency,
    reservesConcurrency, httpApiRateLimit, httpApiBurstLimit, functionUrlAuthType, publicFunctionUrl,
  };
}
