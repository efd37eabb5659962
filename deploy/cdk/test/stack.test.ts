// test/stack.test.ts: the synthesized stack has the architecture: one ECR image
// asset for both targets, an ALB with an ECS (ip) and a Lambda target group and
// weighted forwarding chosen by a parameter, a Fargate service with its health
// check, a Function URL, an HTTP API, log groups the stack owns, a VPC with two
// AZs and no NAT. make cdk-synth's template is checked; other -c settings
// (existing VPC, NAT, bad values) are synthesized here.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as image from '../lib/image';
import { ROUTING_WEIGHTS } from '../lib/math-service-stack';
import { evaluate } from './cfn';
import {
  CDK_OUT, Json, REPO_ROOT, STACK_NAME, onlyResource, readAssembly, readRepoFile, resourcesOfType, stackTemplate,
} from './repo';
import { synthWith } from './synth';

const json = stackTemplate();
const template = Template.fromJSON(json);
const refTo = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('one image for both targets', () => {
  const assets = readAssembly(`${STACK_NAME}.assets.json`);
  const images = Object.entries(assets.dockerImages ?? {}) as [string, Json][];

  it('the assembly has exactly one Docker image asset, from the repository Dockerfile, for linux/amd64', () => {
    assert.equal(images.length, 1);
    const [, asset] = images[0];
    assert.equal(asset.source.platform, 'linux/amd64');
    assert.equal(asset.source.dockerFile, undefined, 'the default Dockerfile of the context');
    const stack = readAssembly('manifest.json').artifacts[STACK_NAME];
    assert.deepEqual(stack.dependencies, [`${STACK_NAME}.assets`], 'the stack publishes that asset manifest');
  });

  it('the staged build context is what .dockerignore lets through: no build/, deploy/cdk or .git', () => {
    const [, asset] = images[0];
    const dir = path.join(CDK_OUT, asset.source.directory);
    const files: string[] = [];
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(r); else files.push(r);
      }
    };
    walk('');
    const allowed = readRepoFile('.dockerignore').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    const isAllowed = (f: string): boolean => f === 'Dockerfile' || f === '.dockerignore' ||
      allowed.some((a) => (a.endsWith('/') ? f.startsWith(a) : f === a));
    assert.deepEqual(files.filter((f) => !isAllowed(f)), []);
    for (const a of allowed) assert.ok(files.some((f) => (a.endsWith('/') ? f.startsWith(a) : f === a)), `${a} is staged`);
  });

  it('the stack is environment-agnostic: synthesis looked nothing up', () => {
    const manifest = readAssembly('manifest.json');
    assert.equal(manifest.artifacts[STACK_NAME].environment, 'aws://unknown-account/unknown-region');
    assert.equal(manifest.missing, undefined, 'no context lookup was needed');
  });

  it('the ECS container and the Lambda function pull the same image URI', () => {
    const [hash, asset] = images[0];
    const repo = evaluate({ 'Fn::Sub': Object.values(asset.destinations as Record<string, Json>)[0].repositoryName });
    const expected = `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${repo}:${hash}`;
    const [, task] = onlyResource(json, 'AWS::ECS::TaskDefinition');
    const [, fn] = onlyResource(json, 'AWS::Lambda::Function');
    assert.equal(evaluate(task.Properties.ContainerDefinitions[0].Image), expected);
    assert.equal(evaluate(fn.Properties.Code.ImageUri), expected);
    assert.equal(fn.Properties.PackageType, 'Image');
  });

  it('both run on x86_64, the platform the image is built for', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Architectures: [image.ARCHITECTURES.x86_64.lambda.name] });
  });
});

describe('ECS Fargate service', () => {
  const [taskId, task] = onlyResource(json, 'AWS::ECS::TaskDefinition');
  const container = task.Properties.ContainerDefinitions[0];

  it('the task is an awsvpc Fargate task of 0.25 vCPU and 512 MiB', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'],
      Cpu: String(image.FARGATE_CPU), Memory: String(image.FARGATE_MEMORY_MIB),
    });
  });

  it('the container: port, environment, the image\'s health check, stop timeout', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Essential: true,
        PortMappings: [{ ContainerPort: image.CONTAINER_PORT, Protocol: 'tcp', Name: 'http', AppProtocol: 'http' }],
        Environment: Match.arrayWith([
          { Name: 'PORT', Value: String(image.CONTAINER_PORT) },
          { Name: 'EXECUTION_ENVIRONMENT', Value: 'ecs' },
          { Name: 'GRACEFUL_SHUTDOWN_TIMEOUT', Value: String(image.GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS) },
        ]),
        HealthCheck: { Command: image.HEALTH_CHECK_COMMAND, Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 10 },
        StopTimeout: image.STOP_TIMEOUT_SECONDS,
        EntryPoint: Match.absent(),
        Command: Match.absent(),
      })],
    });
  });

  it('the container: read-only root, every capability dropped, /tmp the one writable path (a task volume)', () => {
    assert.equal(container.ReadonlyRootFilesystem, true);
    assert.deepEqual(container.LinuxParameters?.Capabilities, { Drop: ['ALL'] });
    assert.deepEqual(container.MountPoints, [{ SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }]);
    assert.deepEqual(task.Properties.Volumes, [{ Name: 'tmp' }]);
  });

  it('logs go to a log group the stack creates, kept a month and deleted with the stack', () => {
    const opts = container.LogConfiguration.Options;
    assert.equal(container.LogConfiguration.LogDriver, 'awslogs');
    assert.deepEqual(opts['awslogs-region'], refTo('AWS::Region'));
    assert.equal(opts['awslogs-stream-prefix'], 'math-service');
    assert.equal(opts['awslogs-create-group'], undefined, 'the stack creates the group; the task needs no logs:CreateLogGroup');
    const group = json.Resources[opts['awslogs-group'].Ref];
    assert.equal(group?.Type, 'AWS::Logs::LogGroup');
    assert.equal(group.Properties.RetentionInDays, 30);
    assert.equal(group.DeletionPolicy, 'Delete');
    // and the execution role may write to it
    const policies = resourcesOfType(json, 'AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties));
    assert.ok(policies.some((p) => p.includes('logs:PutLogEvents') && p.includes(opts['awslogs-group'].Ref)));
  });

  it('the service: Fargate, the task above, public IP in public subnets (no NAT), behind the ECS target group', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      TaskDefinition: refTo(taskId),
      DesiredCount: refTo('EcsMinTasks'),
      HealthCheckGracePeriodSeconds: image.HEALTH_CHECK_GRACE_SECONDS,
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 100, MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
      LoadBalancers: [{ ContainerName: 'math-service', ContainerPort: image.CONTAINER_PORT, TargetGroupArn: Match.anyValue() }],
    });
    const [, service] = onlyResource(json, 'AWS::ECS::Service');
    const subnets = service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets.map((s: Json) => s.Ref);
    for (const id of subnets) assert.equal(json.Resources[id].Properties.MapPublicIpOnLaunch, true, `${id} is public`);
  });

  it('the ECS target group checks GET / on the container port and drains for the graceful stop time', () => {
    const [, service] = onlyResource(json, 'AWS::ECS::Service');
    const tgId = service.Properties.LoadBalancers[0].TargetGroupArn.Ref;
    const tg = json.Resources[tgId].Properties;
    assert.equal(tg.TargetType, 'ip');
    assert.equal(tg.Port, image.CONTAINER_PORT);
    assert.equal(tg.Protocol, 'HTTP');
    assert.equal(tg.HealthCheckPath, image.HEALTH_CHECK_PATH);
    assert.equal(tg.HealthCheckPort, 'traffic-port');
    assert.equal(tg.Matcher.HttpCode, '200');
    const attrs = Object.fromEntries(tg.TargetGroupAttributes.map((a: Json) => [a.Key, a.Value]));
    assert.equal(attrs['deregistration_delay.timeout_seconds'], String(image.GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS));
  });

  it('only the ALB reaches the tasks, on the container port', () => {
    const [albId, alb] = onlyResource(json, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    void albId;
    const albSg = alb.Properties.SecurityGroups[0]['Fn::GetAtt'][0];
    const [, service] = onlyResource(json, 'AWS::ECS::Service');
    const serviceSg = service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [serviceSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [albSg, 'GroupId'] },
      IpProtocol: 'tcp', FromPort: image.CONTAINER_PORT, ToPort: image.CONTAINER_PORT,
    });
    assert.equal(json.Resources[serviceSg].Properties.SecurityGroupIngress, undefined, 'no other ingress');
    assert.deepEqual(json.Resources[albSg].Properties.SecurityGroupIngress,
      [{ CidrIp: '0.0.0.0/0', Description: 'Allow from anyone on port 80', FromPort: 80, IpProtocol: 'tcp', ToPort: 80 }]);
  });
});

describe('Lambda function', () => {
  const [fnId, fn] = onlyResource(json, 'AWS::Lambda::Function');

  it('image package, memory, timeout, EXECUTION_ENVIRONMENT, no ImageConfig, logs to the stack\'s log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      MemorySize: image.LAMBDA_MEMORY_MIB,
      Timeout: image.LAMBDA_TIMEOUT_SECONDS,
      Environment: { Variables: { EXECUTION_ENVIRONMENT: 'lambda' } },
      ImageConfig: Match.absent(),
    });
    const group = json.Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
    assert.equal(group?.Type, 'AWS::Logs::LogGroup');
    assert.equal(group.DeletionPolicy, 'Delete');
  });

  it('has a Function URL (auth type a parameter) and an HTTP API whose $default route invokes it', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: refTo('FunctionUrlAuthType'), TargetFunctionArn: arnOf(fnId) });
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY', IntegrationUri: arnOf(fnId), PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', FunctionName: arnOf(fnId), Principal: 'apigateway.amazonaws.com',
    });
    template.hasResource('AWS::Lambda::Permission', {
      Condition: 'PublicFunctionUrl',
      Properties: { Action: 'lambda:InvokeFunctionUrl', FunctionName: arnOf(fnId), Principal: '*', FunctionUrlAuthType: 'NONE' },
    });
  });
});

describe('one ALB, two target groups, weighted by the Routing parameter', () => {
  const tgs = resourcesOfType(json, 'AWS::ElasticLoadBalancingV2::TargetGroup');
  const [ecsTgId] = tgs.find(([, tg]) => tg.Properties.TargetType === 'ip') ?? [];
  const [lambdaTgId, lambdaTg] = tgs.find(([, tg]) => tg.Properties.TargetType === 'lambda') ?? [];
  const [fnId] = onlyResource(json, 'AWS::Lambda::Function');

  it('an internet-facing ALB with exactly an ip and a lambda target group', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    assert.equal(tgs.length, 2);
    assert.ok(ecsTgId && lambdaTgId);
  });

  it('the Lambda target group: the function, multi-value headers on, registered after the invoke permission', () => {
    assert.deepEqual(lambdaTg.Properties.Targets, [{ Id: arnOf(fnId) }]);
    assert.deepEqual(lambdaTg.Properties.TargetGroupAttributes,
      [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }]);
    const permissions = resourcesOfType(json, 'AWS::Lambda::Permission')
      .filter(([, p]) => p.Properties.Principal === 'elasticloadbalancing.amazonaws.com');
    assert.equal(permissions.length, 1, 'one permission for elasticloadbalancing');
    const [permId, perm] = permissions[0];
    assert.equal(perm.Properties.Action, 'lambda:InvokeFunction');
    assert.deepEqual(perm.Properties.FunctionName, arnOf(fnId));
    assert.ok((lambdaTg.DependsOn ?? []).includes(permId), 'target group waits for the permission');
  });

  it('the HTTP listener forwards to both, with weights from the Routing parameter', () => {
    template.hasParameter('Routing', { Type: 'String', Default: 'ecs', AllowedValues: ['ecs', 'lambda', 'split'] });
    template.hasMapping('RoutingWeights', ROUTING_WEIGHTS);
    const weight = (column: string) => ({ 'Fn::FindInMap': ['RoutingWeights', { Ref: 'Routing' }, column] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP',
      DefaultActions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: refTo(ecsTgId!), Weight: weight('Ecs') },
            { TargetGroupArn: refTo(lambdaTgId!), Weight: weight('Lambda') },
          ],
        },
      }],
    });
  });

  it('/docs/* assets (over the ALB\'s 1 MB Lambda limit) have their own rule, weighted from the same parameter', () => {
    const weight = (column: string) => ({ 'Fn::FindInMap': ['RoutingWeights', { Ref: 'Routing' }, column] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/docs/*'] } }],
      Actions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: refTo(ecsTgId!), Weight: weight('DocsEcs') },
            { TargetGroupArn: refTo(lambdaTgId!), Weight: weight('DocsLambda') },
          ],
        },
      }],
    });
  });

  it('the weights: all ECS, all Lambda, or half each (docs assets from ECS); never both zero', () => {
    assert.deepEqual(ROUTING_WEIGHTS.ecs, { Ecs: 1, Lambda: 0, DocsEcs: 1, DocsLambda: 0 });
    assert.deepEqual(ROUTING_WEIGHTS.lambda, { Ecs: 0, Lambda: 1, DocsEcs: 0, DocsLambda: 1 });
    assert.deepEqual(ROUTING_WEIGHTS.split, { Ecs: 1, Lambda: 1, DocsEcs: 1, DocsLambda: 0 });
    for (const w of Object.values(ROUTING_WEIGHTS)) {
      assert.ok(w.Ecs + w.Lambda > 0 && w.DocsEcs + w.DocsLambda > 0);
      assert.ok(Object.values(w).every((n) => Number.isInteger(n) && n >= 0 && n <= 999));
    }
  });

  it('the largest /docs asset is over 1 MB: the reason for the rule above', () => {
    const size = fs.statSync(path.join(REPO_ROOT, 'node_modules', 'swagger-ui-dist', 'swagger-ui-bundle.js')).size;
    assert.ok(size > 1024 * 1024, `${size} bytes: if it shrank below 1 MB, the docs rule could go`);
  });

  it('prints the ALB URL, the Function URL and the HTTP API URL', () => {
    const outputs = json.Outputs;
    assert.match(JSON.stringify(outputs.AlbUrl.Value), /http:\/\/.*DNSName/);
    const [urlId] = onlyResource(json, 'AWS::Lambda::Url');
    assert.deepEqual(outputs.FunctionUrl.Value, { 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    const [apiId] = onlyResource(json, 'AWS::ApiGatewayV2::Api');
    assert.match(JSON.stringify(outputs.HttpApiUrl.Value), new RegExp(`"Ref":"${apiId}".*execute-api`));
  });
});

describe('network', () => {
  it('a new VPC: two AZs, public subnets only, no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    const azs = resourcesOfType(json, 'AWS::EC2::Subnet').map(([, s]) => JSON.stringify(s.Properties.AvailabilityZone));
    assert.equal(new Set(azs).size, 2, 'two different zones');
    assert.ok(azs.every((a) => a.includes('Fn::GetAZs')), 'zones chosen at deploy time: no lookup');
  });

  it('natGateways=1: private subnets for the tasks, no public IP', () => {
    const t = synthWith({ natGateways: 1 });
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    t.resourceCountIs('AWS::EC2::Subnet', 4);
    t.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  it('an existing VPC from its attributes: no VPC created, the given subnets used', () => {
    const t = synthWith({
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: 'eu-west-1a,eu-west-1b',
      publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
      vpcCidr: '172.31.0.0/16',
    });
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.resourceCountIs('AWS::EC2::Subnet', 0);
    const subnets = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'];
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Subnets: subnets });
    t.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED', Subnets: subnets }) },
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip', VpcId: 'vpc-0123456789abcdef0' });
  });

  it('an existing VPC with private subnets: tasks there, the ALB in the public ones', () => {
    const t = synthWith({
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      publicSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      privateSubnetIds: ['subnet-0ccccccccccccccc3', 'subnet-0ddddddddddddddd4'],
      vpcCidr: '172.31.0.0/16',
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({
        AssignPublicIp: 'DISABLED', Subnets: ['subnet-0ccccccccccccccc3', 'subnet-0ddddddddddddddd4'],
      }) },
    });
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a malformed vpcId', { vpcId: 'vpc-xyz', availabilityZones: 'eu-west-1a,eu-west-1b', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2' }, /context vpcId/],
    ['one zone only', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1', vpcCidr: '172.31.0.0/16' }, /at least two zones/],
    ['fewer subnets than zones', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1', vpcCidr: '172.31.0.0/16' }, /one per availability zone \(2\), got 1/],
    ['an existing VPC without its range', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2' }, /context vpcCidr: needed with vpcId/],
    ['a range one past /32', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2', vpcCidr: '10.0.0.0/33' }, /not an IPv4 CIDR/],
    ['a range with an octet of 256', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2', vpcCidr: '10.256.0.0/16' }, /not an IPv4 CIDR/],
    ['vpcCidr without a vpcId', { vpcCidr: '10.0.0.0/16' }, /only used with vpcId/],
    ['a subnet that is not one', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,sg-0bbbbbbbbbbbbbbb2' }, /context publicSubnetIds: "sg-/],
    ['subnets without a vpcId', { publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1' }, /only used with vpcId/],
    ['natGateways with an existing VPC', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b', publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2', natGateways: 1 }, /only for a new VPC/],
    ['natGateways=-1', { natGateways: -1 }, /context natGateways: expected 0, 1 or 2, got -1/],
    ['natGateways=lots', { natGateways: 'lots' }, /context natGateways/],
    ['a stack name with a space', { stackName: 'Math Service' }, /context stackName/],
  ];
  for (const [name, context, error] of bad) {
    it(`refuses ${name}`, () => assert.throws(() => synthWith(context), error));
  }

  it('stackName names the stack, so two can live side by side', () => {
    const t = synthWith({ stackName: 'MathServiceStaging' });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
  });
});
