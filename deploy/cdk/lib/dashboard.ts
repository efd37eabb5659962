// lib/dashboard.ts: the service's own metrics in CloudWatch. Both compute targets
// write them as embedded metric format (EMF) log lines (METRICS=emf, see
// docs/observability.md), which CloudWatch Logs turns into metrics of METRICS_NAMESPACE.
// The function writes one line per invocation with the dimensions target and route;
// a FastCGI process under lighttpd (ECS) one line per METRICS_INTERVAL, whose one
// dimension is target (an EMF line has one value per dimension), with its per-route
// numbers in a "routes" property that is no metric: the dashboard draws those with a
// Logs Insights query on the ECS log group.
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';

export const METRICS_NAMESPACE = 'MathService';

/** What the container and the function are started with to write EMF lines. */
export const METRICS_ENVIRONMENT = { METRICS: 'emf', METRICS_NAMESPACE } as const;

/** The EMF metric names (the same as the OpenMetrics page's). */
export const EMF_METRICS = {
  duration: 'http_server_request_duration_seconds',
  requests: 'http_server_requests',
  errors: 'http_server_errors',
} as const;

/** The dimension set of each target's EMF metrics (`target` value: its dimensions). */
export const EMF_DIMENSIONS = {
  fcgi: ['target'],
  lambda: ['target', 'route'],
} as const;

/** Logs Insights over the ECS log group: the "routes" breakdown of the FastCGI
 * processes' EMF lines, added up per route (docs/observability.md). */
export const ROUTES_QUERY = [
  'filter ispresent(routes.0.route)',
  'fields jsonParse(@message) as line',
  'unnest line.routes into r',
  'stats sum(r.requests) as requests, sum(r.errors) as errors_5xx,'
    + ' sum(r.duration_seconds_sum) / sum(r.requests) as mean_seconds,'
    + ' max(r.duration_seconds_max) as max_seconds by r.route',
  'sort requests desc',
];

const PERIOD = Duration.minutes(1);

/** SEARCH over one target's metric (every route of it where route is a dimension) for one statistic. */
function search(target: keyof typeof EMF_DIMENSIONS, metric: string, stat: string, label: string): cloudwatch.MathExpression {
  const schema = [METRICS_NAMESPACE, ...EMF_DIMENSIONS[target]].join(',');
  return new cloudwatch.MathExpression({
    label,
    expression: `SEARCH('{${schema}} MetricName="${metric}" target="${target}"', '${stat}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
  });
}

/** The dashboard: requests, 5xx and p99 duration for the ECS tasks (all routes; per route
 * from ecsLogs' EMF lines when given) and per route for the function. */
export function defineDashboard(stack: Stack, ecsLogs?: logs.ILogGroup): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(stack, 'MetricsDashboard', {
    dashboardName: `${stack.stackName}-service`,
    defaultInterval: Duration.hours(3),
  });
  const targets: [keyof typeof EMF_DIMENSIONS, string, string][] = [
    ['fcgi', 'ECS (lighttpd + FastCGI)', 'all routes'],
    ['lambda', 'Lambda', 'per route'],
  ];
  for (const [target, title, scope] of targets) {
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `${title}: requests, ${scope}`, width: 8,
        left: [search(target, EMF_METRICS.requests, 'Sum', 'requests')],
      }),
      new cloudwatch.GraphWidget({
        title: `${title}: 5xx, ${scope}`, width: 8,
        left: [search(target, EMF_METRICS.errors, 'Sum', '5xx')],
      }),
      new cloudwatch.GraphWidget({
        title: `${title}: p99 duration, ${scope} (s)`, width: 8,
        left: [search(target, EMF_METRICS.duration, 'p99', 'p99')],
      }),
    );
    if (target === 'fcgi' && ecsLogs !== undefined) {
      dashboard.addWidgets(new cloudwatch.LogQueryWidget({
        title: `${title}: per route (the EMF lines' routes breakdown)`, width: 24,
        logGroupNames: [ecsLogs.logGroupName],
        queryLines: ROUTES_QUERY,
        view: cloudwatch.LogQueryVisualizationType.TABLE,
      }));
    }
  }
  return dashboard;
}
