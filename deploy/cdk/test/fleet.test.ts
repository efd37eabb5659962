// test/fleet.test.ts: what makes the stack one a team runs for customers, asserted
// on synthesized templates for both architectures, with and without a certificate:
// HTTPS, trusted forwarded headers, scaling and the timing it must agree with,
// alarms, limits on the public entry points, tracing, an image Lambda accepts, and
// cdk-nag's AwsSolutions rules with nothing left unacknowledged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ALARM_THRESHOLDS } from '../lib/alarms';
import * as image from '../lib/image';
import { NAG_ACKNOWLEDGED } from '../lib/nag';
import { Json, readRepoFile, resourcesOfType } from './repo';
import { stackWith, synthWith } from './synth';

const CERT = 'arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:pager';
const refTo = (id: string) => ({ Ref: id });

const VARIANTS: [string, Record<string, unknown>][] = [
  ['x86_64, HTTP only', {}],
  ['x86_64, HTTPS', { certificateArn: CERT }],
  ['arm64, HTTP only', { architecture: 'arm64' }],
  ['arm64, HTTPS with a domain in a zone', {
    architecture: 'arm64', certificateArn: CERT, domainName: 'api.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com',
  }],
];
const templates = new Map(VARIANTS.map(([name, ctx]) => [name, synthWith(ctx)]));
const json = (name: string): Json => templates.get(name)!.toJSON();
const only = (t: Json, type: string): [string, Json] => {
  const found = resourcesOfType(t, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0];
};

describe('HTTPS', () => {
  for (const name of ['x86_64, HTTPS', 'arm64, HTTPS with a domain in a zone']) {
    it(`${name}: 443 forwards with the certificate and a TLS 1.3 policy; 80 redirects to it`, () => {
      const t = templates.get(name)!;
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: CERT }],
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [Match.objectLike({ Type: 'forward' })],
      });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80, Protocol: 'HTTP',
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
      });
      const [, rule] = only(json(name), 'AWS::ElasticLoadBalancingV2::ListenerRule');
      const [httpsId] = resourcesOfType(json(name), 'AWS::ElasticLoadBalancingV2::Listener')
        .find(([, l]) => l.Properties.Port === 443)!;
      assert.deepEqual(rule.Properties.ListenerArn, refTo(httpsId), 'the /docs rule is on the HTTPS listener');
      assert.match(JSON.stringify(json(name).Outputs.AlbUrl.Value), /https:\/\//);
      assert.match(json(name).Outputs.Https.Value, /^on:/);
    });
  }

  it('a domain in a zone gets an alias record to the ALB, and the URL names it', () => {
    const t = templates.get('arm64, HTTPS with a domain in a zone')!;
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
    assert.equal(json('arm64, HTTPS with a domain in a zone').Outputs.AlbUrl.Value, 'https://api.example.com/');
  });

  it('without a certificate: HTTP on 80 only, and the outputs say so', () => {
    const t = templates.get('x86_64, HTTP only')!;
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
    assert.match(json('x86_64, HTTP only').Outputs.Https.Value, /^off: HTTP only/);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a certificate ARN of another service', { certificateArn: 'arn:aws:iam::111122223333:server-certificate/x' }, /context certificateArn/],
    ['a domain without a certificate', { domainName: 'api.example.com' }, /needs certificateArn/],
    ['a zone id without its name', { certificateArn: CERT, domainName: 'api.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' }, /give both or neither/],
    ['a domain outside its zone', { certificateArn: CERT, domainName: 'api.example.org', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' }, /not in the zone/],
    ['a domain with a trailing dot', { certificateArn: CERT, domainName: 'api.example.com.' }, /context domainName/],
    ['an unknown architecture', { architecture: 'riscv64' }, /context architecture/],
    ['an SNS ARN that is not one', { alarmTopicArn: 'arn:aws:sqs:eu-west-1:111122223333:q' }, /context alarmTopicArn/],
    ['ecsExec=maybe', { ecsExec: 'maybe' }, /context ecsExec/],
    ['a region that is not one', { region: 'europe' }, /context region/],
  ];
  for (const [what, ctx, error] of bad) it(`refuses ${what}`, () => assert.throws(() => synthWith(ctx), error));
});

describe('forwarded headers', () => {
  it('the container trusts X-Forwarded-* from the VPC range the ALB lives in', () => {
    const t = json('x86_64, HTTP only');
    const [vpcId] = only(t, 'AWS::EC2::VPC');
    const [, task] = only(t, 'AWS::ECS::TaskDefinition');
    const env = Object.fromEntries(task.Properties.ContainerDefinitions[0].Environment.map((e: Json) => [e.Name, e.Value]));
    assert.deepEqual(env.FORWARDED_ALLOW_IPS, { 'Fn::GetAtt': [vpcId, 'CidrBlock'] });
    const [, vpc] = only(t, 'AWS::EC2::VPC');
    assert.equal(vpc.Properties.CidrBlock, image.NEW_VPC_CIDR);
  });

  it('in an existing VPC: the given range', () => {
    const t = synthWith({
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b',
      publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2', vpcCidr: '172.31.0.0/16',
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([{ Name: 'FORWARDED_ALLOW_IPS', Value: '172.31.0.0/16' }]),
      })],
    });
  });
});

describe('scaling', () => {
  for (const [name] of VARIANTS) {
    it(`${name}: between EcsMinTasks (default 2) and EcsMaxTasks, on requests per target and on CPU`, () => {
      const t = templates.get(name)!;
      t.hasParameter('EcsMinTasks', { Type: 'Number', Default: 2 });
      t.hasParameter('EcsMaxTasks', { Type: 'Number' });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: refTo('EcsMinTasks'), MaxCapacity: refTo('EcsMaxTasks'), ScalableDimension: 'ecs:service:DesiredCount',
      });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: Match.anyValue() }),
          TargetValue: refTo('EcsRequestsPerTarget'),
        }),
      });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: refTo('EcsCpuTarget'),
        }),
      });
    });
  }

  it('the tasks run in two availability zones', () => {
    const t = json('x86_64, HTTP only');
    const [, service] = only(t, 'AWS::ECS::Service');
    const subnets = service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets.map((s: Json) => s.Ref);
    const zones = new Set(subnets.map((id: string) => JSON.stringify(t.Resources[id].Properties.AvailabilityZone)));
    assert.equal(zones.size, 2);
  });

  it('drain, graceful stop, kill and health-check grace agree with each other and with the image', () => {
    const t = json('x86_64, HTTP only');
    const [, task] = only(t, 'AWS::ECS::TaskDefinition');
    const c = task.Properties.ContainerDefinitions[0];
    const env = Object.fromEntries(c.Environment.map((e: Json) => [e.Name, e.Value]));
    const graceful = Number(env.GRACEFUL_SHUTDOWN_TIMEOUT);
    const ecsTg = resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::TargetGroup').find(([, g]) => g.Properties.TargetType === 'ip')![1];
    const attrs = Object.fromEntries(ecsTg.Properties.TargetGroupAttributes.map((a: Json) => [a.Key, a.Value]));
    const drain = Number(attrs['deregistration_delay.timeout_seconds']);
    // SIGTERM comes after the drain; lighttpd then has `graceful` seconds; SIGKILL after StopTimeout.
    assert.ok(c.StopTimeout > graceful, `StopTimeout ${c.StopTimeout} > graceful stop ${graceful}`);
    assert.ok(c.StopTimeout <= 120, 'Fargate allows at most 120 s');
    assert.ok(drain >= graceful, `the drain (${drain} s) covers a request as long as the graceful stop allows`);
    const [, service] = only(t, 'AWS::ECS::Service');
    const grace = service.Properties.HealthCheckGracePeriodSeconds;
    const hc = ecsTg.Properties;
    assert.ok(grace >= c.HealthCheck.StartPeriod + hc.HealthCheckIntervalSeconds * hc.HealthyThresholdCount,
      'a new task has time to pass the ALB health check before ECS counts failures');
    assert.equal(graceful, image.GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS);
  });

  it('the ALB closes idle connections before lighttpd does (no reuse of a connection the target closed)', () => {
    const t = json('x86_64, HTTP only');
    const [, alb] = only(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const attrs = Object.fromEntries(alb.Properties.LoadBalancerAttributes.map((a: Json) => [a.Key, a.Value]));
    assert.equal(attrs['idle_timeout.timeout_seconds'], String(image.ALB_IDLE_TIMEOUT_SECONDS));
    const conf = readRepoFile('lighttpd.conf');
    const m = /server\.max-keep-alive-idle\s*=\s*(?:env\.\w+\s*\|\|\s*)?"?(\d+)/.exec(conf) ??
      /KEEP_ALIVE_IDLE[^\n]*?(\d+)/.exec(conf);
    assert.ok(m, 'lighttpd.conf sets server.max-keep-alive-idle');
    assert.ok(Number(m[1]) > image.ALB_IDLE_TIMEOUT_SECONDS, `lighttpd keeps idle connections ${m[1]} s > ALB ${image.ALB_IDLE_TIMEOUT_SECONDS} s`);
  });
});

describe('alarms', () => {
  const names = ['Alb5xxRate', 'TargetP99Latency', 'UnhealthyTargets', 'EcsCpu', 'EcsMemory',
    'LambdaErrors', 'LambdaThrottles', 'LambdaDurationNearTimeout', 'HttpApi5xx'];
  const alarmsOf = (t: Json) => new Map(resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, ''), a]));

  it('one alarm per symptom, none with an action when no topic is given', () => {
    const alarms = alarmsOf(json('x86_64, HTTP only'));
    assert.deepEqual([...alarms.keys()].sort(), [...names].sort());
    for (const a of alarms.values()) {
      assert.equal(a.Properties.AlarmActions, undefined);
      assert.equal(a.Properties.TreatMissingData, 'notBreaching');
    }
  });

  it('each watches the right metric with its threshold', () => {
    const alarms = alarmsOf(json('x86_64, HTTP only'));
    const props = (id: string) => alarms.get(id)!.Properties;
    const watches = (id: string, name: string, namespace: string, stat?: string) => {
      assert.equal(props(id).MetricName, name, id);
      assert.equal(props(id).Namespace, namespace, id);
      if (stat) assert.equal(props(id).ExtendedStatistic, stat, id);
    };
    assert.match(JSON.stringify(props('Alb5xxRate').Metrics), /HTTPCode_ELB_5XX_Count.*HTTPCode_Target_5XX_Count.*RequestCount/);
    assert.equal(props('Alb5xxRate').Threshold, ALARM_THRESHOLDS.alb5xxPercent);
    watches('TargetP99Latency', 'TargetResponseTime', 'AWS/ApplicationELB', 'p99');
    assert.equal(props('TargetP99Latency').Threshold, ALARM_THRESHOLDS.targetP99Seconds);
    watches('UnhealthyTargets', 'UnHealthyHostCount', 'AWS/ApplicationELB');
    watches('EcsCpu', 'CPUUtilization', 'AWS/ECS');
    watches('EcsMemory', 'MemoryUtilization', 'AWS/ECS');
    watches('LambdaErrors', 'Errors', 'AWS/Lambda');
    watches('LambdaThrottles', 'Throttles', 'AWS/Lambda');
    watches('LambdaDurationNearTimeout', 'Duration', 'AWS/Lambda', 'p99');
    assert.equal(props('LambdaDurationNearTimeout').Threshold,
      image.LAMBDA_TIMEOUT_SECONDS * 1000 * ALARM_THRESHOLDS.lambdaDurationShareOfTimeout);
    watches('HttpApi5xx', '5xx', 'AWS/ApiGateway');
  });

  it('with -c alarmTopicArn every alarm notifies the topic on ALARM and on OK', () => {
    const alarms = alarmsOf(synthWith({ alarmTopicArn: TOPIC }).toJSON());
    assert.equal(alarms.size, names.length);
    for (const a of alarms.values()) {
      assert.deepEqual(a.Properties.AlarmActions, [TOPIC]);
      assert.deepEqual(a.Properties.OKActions, [TOPIC]);
    }
  });
});

describe('limits on the public entry points', () => {
  const t = templates.get('x86_64, HTTP only')!;
  const tj = json('x86_64, HTTP only');

  it('reserved concurrency: a parameter, none reserved by default (0)', () => {
    t.hasParameter('LambdaReservedConcurrency', { Type: 'Number', Default: 0, MinValue: 0 });
    t.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: { 'Fn::If': ['ReservesConcurrency', refTo('LambdaReservedConcurrency'), refTo('AWS::NoValue')] },
    });
    assert.deepEqual(tj.Conditions.ReservesConcurrency,
      { 'Fn::Not': [{ 'Fn::Equals': [refTo('LambdaReservedConcurrency'), '0'] }] });
  });

  it('the HTTP API stage is throttled by two parameters and logs its access', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: refTo('HttpApiRateLimit'), ThrottlingBurstLimit: refTo('HttpApiBurstLimit') },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('the Function URL needs IAM by default; with NONE the public permissions exist', () => {
    t.hasParameter('FunctionUrlAuthType', { Default: 'AWS_IAM', AllowedValues: ['AWS_IAM', 'NONE'] });
    assert.deepEqual(tj.Conditions.PublicFunctionUrl, { 'Fn::Equals': [refTo('FunctionUrlAuthType'), 'NONE'] });
    const publicOnes = resourcesOfType(tj, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === '*');
    assert.equal(publicOnes.length, 2);
    for (const [, p] of publicOnes) assert.equal(p.Condition, 'PublicFunctionUrl');
    assert.deepEqual(publicOnes.map(([, p]) => p.Properties.Action).sort(), ['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
  });

  it('the ALB may invoke the function only through its own target group', () => {
    const [, perm] = resourcesOfType(tj, 'AWS::Lambda::Permission')
      .find(([, p]) => p.Properties.Principal === 'elasticloadbalancing.amazonaws.com')!;
    const tg = resourcesOfType(tj, 'AWS::ElasticLoadBalancingV2::TargetGroup').find(([, g]) => g.Properties.TargetType === 'lambda')![1];
    assert.equal(tg.Properties.Name, image.lambdaTargetGroupName('MathService'));
    assert.match(JSON.stringify(perm.Properties.SourceArn), new RegExp(`:targetgroup/${tg.Properties.Name}/\\*`));
    assert.ok(image.lambdaTargetGroupName('x'.repeat(128)).length <= 32);
  });
});

describe('tracing and insight', () => {
  it('X-Ray active tracing on the function, Container Insights on the cluster, ECS Exec off', () => {
    const t = templates.get('x86_64, HTTP only')!;
    t.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    t.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    t.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: false });
  });

  it('-c ecsExec=true turns ECS Exec on', () => {
    synthWith({ ecsExec: true }).hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
  });
});

describe('an image Lambda accepts, on both architectures', () => {
  for (const [name, ctx] of VARIANTS) {
    it(`${name}: the asset is built for the architecture, as a single-platform image manifest`, () => {
      const { app, stack } = stackWith(ctx);
      const assembly = app.synth();
      const assets = JSON.parse(require('fs').readFileSync(`${assembly.directory}/${stack.artifactId}.assets.json`, 'utf8'));
      const [asset] = Object.values(assets.dockerImages) as Json[];
      const arm = (ctx as Json).architecture === 'arm64';
      assert.equal(asset.source.platform, arm ? 'linux/arm64' : 'linux/amd64');
      assert.deepEqual(asset.source.dockerOutputs, ['type=image,oci-mediatypes=false']);
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: arm ? 'ARM64' : 'X86_64', OperatingSystemFamily: 'LINUX' } });
      t.hasResourceProperties('AWS::Lambda::Function', { Architectures: [arm ? 'arm64' : 'x86_64'] });
    });
  }
});

describe('the function from build/lambda.zip (-c lambdaPackage=zip)', () => {
  it('provided.al2023, handler bootstrap, the zip as a file asset; Fargate still runs the image', () => {
    const { app, stack } = stackWith({ lambdaPackage: 'zip' });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'provided.al2023', Handler: 'bootstrap', Architectures: ['x86_64'],
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
      PackageType: Match.absent(), TracingConfig: { Mode: 'Active' },
    });
    const assets = JSON.parse(require('fs').readFileSync(`${app.synth().directory}/${stack.artifactId}.assets.json`, 'utf8'));
    const files = Object.values(assets.files) as Json[];
    assert.ok(files.some((f) => f.source.packaging === 'file' && /\.zip$/.test(f.source.path)), 'the zip is uploaded as it is');
    assert.equal(Object.keys(assets.dockerImages).length, 1, 'the image is still built, for Fargate');
  });

  it('refuses arm64 (the zip is built for x86_64) and an unknown package kind', () => {
    assert.throws(() => synthWith({ lambdaPackage: 'zip', architecture: 'arm64' }), /x86_64 only/);
    assert.throws(() => synthWith({ lambdaPackage: 'jar' }), /context lambdaPackage/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  const nag = (ctx: Record<string, unknown>, extra?: (s: Json) => void) => {
    const { app, stack } = stackWith(ctx);
    extra?.(stack);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
  };
  for (const [name, ctx] of [...VARIANTS, ['with a region: ALB access logs on', { region: 'eu-west-1' }] as [string, Json],
    ['the zip on provided.al2023', { lambdaPackage: 'zip' }] as [string, Json]]) {
    it(`${name}: nothing reported that is not acknowledged with a reason`, () => assert.doesNotThrow(() => nag(ctx)));
  }

  it('every acknowledgement has a one-line reason', () => {
    for (const a of NAG_ACKNOWLEDGED) {
      assert.match(a.id, /^AwsSolutions-/);
      assert.ok(a.reason.length > 20 && !a.reason.includes('\n'), a.id);
    }
  });

  it('with a region the ALB writes access logs to a private, TLS-only bucket', () => {
    const t = synthWith({ region: 'eu-west-1' });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  it('a finding nobody acknowledged fails synthesis (an S3 bucket that allows plain HTTP)', () => {
    assert.throws(() => nag({}, (stack) => { new s3.Bucket(stack, 'Careless'); }), /AwsSolutions-S10|Validation failed|S10/);
  });
});
