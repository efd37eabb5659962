// lib/alarms.ts: the CloudWatch alarms an operator pages on, one per symptom, with
// an optional SNS topic as their action. Thresholds are in ALARM_THRESHOLDS so that
// the tests and docs/deploy-aws.md read the same numbers.
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';

export const ALARM_THRESHOLDS = {
  /** ALB: % of requests answered 5xx (by the ALB or a target) over 5 minutes. */
  alb5xxPercent: 1,
  /** ECS targets: p99 of the target response time, seconds, over 5 minutes. */
  targetP99Seconds: 1,
  /** ECS: average CPU and memory %, over 5 minutes, 3 periods in a row. */
  ecsCpuPercent: 85,
  ecsMemoryPercent: 85,
  /** Lambda: errors and throttles in 5 minutes. */
  lambdaErrors: 5,
  lambdaThrottles: 1,
  /** Lambda: p99 duration as a share of the timeout. */
  lambdaDurationShareOfTimeout: 0.8,
  /** HTTP API: 5xx answers in 5 minutes. */
  httpApi5xx: 5,
} as const;

export interface AlarmTargets {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly ecsTargets: elbv2.ApplicationTargetGroup;
  readonly service: ecs.FargateService;
  readonly fn: lambda.Function;
  readonly fnTimeout: Duration;
  readonly httpApi: apigwv2.HttpApi;
  readonly topicArn?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Makes every alarm; each notifies the topic (when given) on ALARM and on OK. */
export function defineAlarms(stack: Stack, t: AlarmTargets): cloudwatch.Alarm[] {
  const th = ALARM_THRESHOLDS;
  const albErrors = new cloudwatch.MathExpression({
    label: 'ALB 5xx %',
    expression: '100 * (FILL(elb, 0) + FILL(target, 0)) / FILL(requests, 1)',
    usingMetrics: {
      elb: t.alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: FIVE_MINUTES }),
      target: t.alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: FIVE_MINUTES }),
      requests: t.alb.metrics.requestCount({ period: FIVE_MINUTES }),
    },
    period: FIVE_MINUTES,
  });
  const alarms: [string, cloudwatch.IMetric, number, number, string][] = [
    ['Alb5xxRate', albErrors, th.alb5xxPercent, 1, `more than ${th.alb5xxPercent}% of ALB requests answered 5xx`],
    ['TargetP99Latency', t.ecsTargets.metrics.targetResponseTime({ statistic: 'p99', period: FIVE_MINUTES }),
      th.targetP99Seconds, 2, `p99 target response time over ${th.targetP99Seconds} s`],
    ['UnhealthyTargets', t.ecsTargets.metrics.unhealthyHostCount({ statistic: 'Maximum', period: Duration.minutes(1) }),
      1, 3, 'an ECS target failed its health checks for 3 minutes'],
    ['EcsCpu', t.service.metricCpuUtilization({ period: FIVE_MINUTES }), th.ecsCpuPercent, 3,
      `ECS service CPU over ${th.ecsCpuPercent}% (scaling is not keeping up, or EcsMaxTasks is reached)`],
    ['EcsMemory', t.service.metricMemoryUtilization({ period: FIVE_MINUTES }), th.ecsMemoryPercent, 3,
      `ECS service memory over ${th.ecsMemoryPercent}%`],
    ['LambdaErrors', t.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), th.lambdaErrors, 1,
      `${th.lambdaErrors} or more function errors in 5 minutes`],
    ['LambdaThrottles', t.fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), th.lambdaThrottles, 1,
      'the function was throttled (reserved concurrency or the account limit)'],
    ['LambdaDurationNearTimeout', t.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
      Math.round(t.fnTimeout.toMilliseconds() * th.lambdaDurationShareOfTimeout), 2,
      `p99 function duration over ${th.lambdaDurationShareOfTimeout * 100}% of its timeout`],
    ['HttpApi5xx', t.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), th.httpApi5xx, 1,
      `${th.httpApi5xx} or more HTTP API 5xx answers in 5 minutes`],
  ];
  const topic = t.topicArn === undefined ? undefined : sns.Topic.fromTopicArn(stack, 'AlarmTopic', t.topicArn);
  return alarms.map(([id, metric, threshold, periods, description]) => {
    const alarm = new cloudwatch.Alarm(stack, id, {
      metric,
      threshold,
      evaluationPeriods: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    if (topic !== undefined) {
      alarm.addAlarmAction(new SnsAction(topic));
      alarm.addOkAction(new SnsAction(topic));
    }
    return alarm;
  });
}
