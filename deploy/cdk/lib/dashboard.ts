// lib/dashboard.ts: the service's own metrics in CloudWatch. Both compute targets
// write them as embedded metric format (EMF) log lines (METRICS=emf, see
// docs/observability.md), which CloudWatch Logs turns into metrics of METRICS_NAMESPACE
// with the dimensions target and route; one dashboard draws them for every route.
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

export const METRICS_NAMESPACE = 'MathService';

/** What the container and the function are started with to write EMF lines. */
export const METRICS_ENVIRONMENT = { METRICS: 'emf', METRICS_NAMESPACE } as const;

/** The EMF metric names (the same as the OpenMetrics page's). */
export const EMF_METRICS = {
  duration: 'http_server_request_duration_seconds',
  requests: 'http_server_requests',
  errors: 'http_server_errors',
} as const;

const PERIOD = Duration.minutes(1);

/** SEARCH over every route of one target (`target` dimension value) for one metric and statistic. */
function search(target: string, metric: string, stat: string, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    label,
    expression: `SEARCH('{${METRICS_NAMESPACE},target,route} MetricName="${metric}" target="${target}"', '${stat}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
  });
}

/** The dashboard: requests, 5xx and p99 duration per route, for the ECS tasks and the function. */
export function defineDashboard(stack: Stack): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(stack, 'MetricsDashboard', {
    dashboardName: `${stack.stackName}-service`,
    defaultInterval: Duration.hours(3),
  });
  for (const [target, title] of [['fcgi', 'ECS (lighttpd + FastCGI)'], ['lambda', 'Lambda']]) {
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${title}: requests per route`, width: 8,
        left: [search(target, EMF_METRICS.requests, 'Sum', 'requests')],
      }),
      new cloudwatch.GraphWidget({
        title: `${title}: 5xx per route`, width: 8,
        left: [search(target, EMF_METRICS.errors, 'Sum', '5xx')],
      }),
      new cloudwatch.GraphWidget({
        title: `${title}: p99 duration per route (s)`, width: 8,
        left: [search(target, EMF_METRICS.duration, 'p99', 'p99')],
      }),
    );
  }
  return dashboard;
}
