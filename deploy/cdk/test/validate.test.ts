// test/validate.test.ts: every template is checked by AWS's offline validator
// (test/validate.ts): the CDK stack as `make cdk-synth` wrote it, and the two
// hand-written files kept for those who deploy without CDK (SAM template, ECS task
// definition), which must also run the image as the stack does. The hostile cases
// break a template in one place and the validator must say so.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { CDK_OUT, Json, REPO_ROOT, onlyResource, readRepoFile, stackTemplate } from './repo';
import { readYamlTemplate, samFunctionTemplate, taskDefinitionTemplate } from './plain-cfn';
import { synthWith } from './synth';
import { Accepted, findings, findingsOf } from './validate';

const stack = stackTemplate();
const SAM_FILE = path.join(REPO_ROOT, 'deploy', 'template.yaml');
const sam = readYamlTemplate(SAM_FILE, readRepoFile('deploy/template.yaml'));
const taskDefinition = JSON.parse(readRepoFile('deploy/ecs-task-definition.json'));

/** SAM generates <Function>Url for FunctionUrlConfig; the validator does not expand SAM, so a GetAtt of it looks dangling. */
const SAM_ACCEPTED: Accepted[] = [{
  ruleId: 'F6101', message: /^GetAtt '\w+Url\.FunctionUrl' references a resource that does not exist$/,
  why: 'SAM creates the <Function>Url resource when it transforms FunctionUrlConfig',
}];

/** The task definition is `aws ecs register-task-definition` input with a placeholder account, not a template. */
const TASK_DEFINITION_ACCEPTED: Accepted[] = [
  { ruleId: 'W9002', message: /^Property 'ExecutionRoleArn' has a hardcoded ARN/, why: 'the README says to put your own role there' },
  { ruleId: 'W9013', message: /^Hardcoded account ID in ARN/, why: 'placeholder account 123456789012, replaced by the user' },
];

describe('the validator', () => {
  it('finds nothing wrong in each template make cdk-synth wrote', () => {
    const templates = fs.readdirSync(CDK_OUT).filter((f) => f.endsWith('.template.json'));
    assert.ok(templates.length >= 1, `no templates in ${CDK_OUT}`);
    for (const t of templates) assert.deepEqual(findings(path.join(CDK_OUT, t)), [], t);
  });

  const variants: [string, Record<string, unknown>][] = [
    ['natGateways=1', { natGateways: 1 }],
    ['an existing VPC with private subnets', {
      vpcId: 'vpc-0123456789abcdef0', availabilityZones: 'eu-west-1a,eu-west-1b',
      publicSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
      privateSubnetIds: 'subnet-0ccccccccccccccc3,subnet-0ddddddddddddddd4', vpcCidr: '172.31.0.0/16',
    }],
    ['arm64', { architecture: 'arm64' }],
    ['the function from the zip', { lambdaPackage: 'zip' }],
    ['a certificate, a domain and its zone', {
      certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012',
      domainName: 'api.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com',
    }],
    ['arm64 with a certificate, a region (access logs) and an alarm topic', {
      architecture: 'arm64', region: 'eu-west-1', alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:pager',
      certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012',
    }],
  ];
  for (const [name, context] of variants) {
    it(`finds nothing wrong in the template for ${name}`, () => {
      assert.deepEqual(findingsOf(synthWith(context).toJSON()), []);
    });
  }

  const broken: [string, (t: Json) => void, RegExp][] = [
    ['a misspelt property', (t) => { fn(t).MemorySze = 256; }, /F3002.*'MemorySze' was unexpected/],
    ['a string for a number', (t) => { fn(t).MemorySize = '256MB'; }, /F3012 .*'256MB' is not of type 'integer'/],
    ['a timeout past the maximum', (t) => { fn(t).Timeout = 100000; }, /F3034/],
    ['a Ref to nothing', (t) => { fn(t).Role = { Ref: 'NoSuchRole' }; }, /F1020.*'NoSuchRole'/],
    ['a target type that does not exist', (t) => {
      for (const r of Object.values(t.Resources) as Json[]) if (r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup') r.Properties.TargetType = 'ipv4';
    }, /W3030 .*'ipv4' is not one of/],
    ['a container without an image', (t) => { delete onlyResource(t, 'AWS::ECS::TaskDefinition')[1].Properties.ContainerDefinitions[0].Image; },
      /F3003 .*'Image' is a required property/],
  ];
  const fn = (t: Json): Json => onlyResource(t, 'AWS::Lambda::Function')[1].Properties;
  for (const [name, breakIt, expected] of broken) {
    it(`reports ${name} in the stack's template`, () => {
      const copy = JSON.parse(JSON.stringify(stack));
      breakIt(copy);
      assert.match(findingsOf(copy).join('\n'), expected);
    });
  }
});

describe('deploy/template.yaml (SAM)', () => {
  it('passes the validator (SAM transform read; only the generated Url GetAtt accepted)', () => {
    assert.deepEqual(findings(SAM_FILE, SAM_ACCEPTED), []);
  });

  it('its function, Function URL and HTTP API pass as plain CloudFormation resources', () => {
    assert.deepEqual(findingsOf(samFunctionTemplate(sam)), []);
  });

  it('a bad property is caught through the plain resources', () => {
    const copy = JSON.parse(JSON.stringify(sam));
    copy.Resources.MathServiceFunction.Properties.MemorySize = 'lots';
    assert.match(findingsOf(samFunctionTemplate(copy)).join('\n'), /'lots' is not of type 'integer'/);
    copy.Resources.MathServiceFunction.Properties.MemorySize = 256;
    copy.Resources.MathServiceFunction.Properties.FunctionUrlConfig.AuthType = 'OPEN';
    assert.match(findingsOf(samFunctionTemplate(copy)).join('\n'), /'OPEN' is not one of/);
    copy.Resources.MathServiceFunction.Properties.CodeUri = '.';
    assert.throws(() => samFunctionTemplate(copy), /no check for CodeUri/);
  });

  it('runs the function as the stack does', () => {
    const [, cdkFn] = onlyResource(stack, 'AWS::Lambda::Function');
    const samFn = sam.Resources.MathServiceFunction.Properties;
    for (const k of ['PackageType', 'Architectures', 'MemorySize', 'Timeout', 'Environment']) {
      assert.deepEqual(samFn[k], cdkFn.Properties[k], k);
    }
    assert.equal(samFn.ImageConfig, undefined);
    assert.equal(samFn.Tracing, cdkFn.Properties.TracingConfig.Mode);
  });

  it('has the stack\'s limits: the same parameters (defaults, ranges), logs kept as long, throttled API', () => {
    const cdkParams = stack.Parameters;
    for (const name of ['LambdaReservedConcurrency', 'HttpApiRateLimit', 'HttpApiBurstLimit', 'FunctionUrlAuthType']) {
      const mine = sam.Parameters[name];
      assert.ok(mine, `SAM has the parameter ${name}`);
      assert.equal(String(mine.default), String(cdkParams[name].Default), `${name} default`);
      assert.deepEqual(mine.allowedValues ?? undefined, cdkParams[name].AllowedValues, `${name} allowed values`);
      assert.equal(mine.minValue ?? undefined, cdkParams[name].MinValue, `${name} minimum`);
    }
    const samFn = sam.Resources.MathServiceFunction.Properties;
    assert.equal(samFn.FunctionUrlConfig.AuthType, cdkParams.FunctionUrlAuthType.Default);
    const logs = Object.values(sam.Resources).find((r: Json) => r.Type === 'AWS::Logs::LogGroup') as Json;
    const [, cdkFn] = onlyResource(stack, 'AWS::Lambda::Function');
    const cdkLogs = stack.Resources[cdkFn.Properties.LoggingConfig.LogGroup.Ref];
    assert.equal(logs.Properties.RetentionInDays, cdkLogs.Properties.RetentionInDays);
    assert.match(logs.Properties.LogGroupName.dynamic, /\/aws\/lambda\/\$\{MathServiceFunction\}/);
    const api = Object.values(sam.Resources).find((r: Json) => r.Type === 'AWS::Serverless::HttpApi') as Json;
    assert.deepEqual(api.Properties.DefaultRouteSettings, {
      ThrottlingRateLimit: cdkParams.HttpApiRateLimit.Default, ThrottlingBurstLimit: cdkParams.HttpApiBurstLimit.Default,
    });
    assert.deepEqual(Object.values(samFn.Events).map((e: Json) => e.Type), ['HttpApi']);
    assert.deepEqual(sam.Transform, ['AWS::Serverless-2016-10-31']);
  });
});

describe('deploy/ecs-task-definition.json', () => {
  it('passes the validator as an AWS::ECS::TaskDefinition', () => {
    assert.deepEqual(findingsOf(taskDefinitionTemplate(taskDefinition), TASK_DEFINITION_ACCEPTED), []);
  });

  it('a bad field is caught', () => {
    const copy = JSON.parse(JSON.stringify(taskDefinition));
    copy.containerDefinitions[0].portMappings[0].containerPort = '8080/tcp';
    copy.containerDefinitions[0].stopTimout = 30;
    const found = findingsOf(taskDefinitionTemplate(copy), TASK_DEFINITION_ACCEPTED).join('\n');
    assert.match(found, /'8080\/tcp' is not of type 'integer'/);
    assert.match(found, /'StopTimout' was unexpected/);
  });

  it('runs the container as the stack does', () => {
    const [, cdkTask] = onlyResource(stack, 'AWS::ECS::TaskDefinition');
    const mine = taskDefinitionTemplate(taskDefinition).Resources.TaskDefinition.Properties;
    for (const k of ['Cpu', 'Memory', 'NetworkMode', 'RequiresCompatibilities', 'RuntimePlatform']) {
      assert.deepEqual(mine[k], cdkTask.Properties[k], k);
    }
    const a = mine.ContainerDefinitions[0];
    const b = cdkTask.Properties.ContainerDefinitions[0];
    for (const k of ['Essential', 'HealthCheck', 'StopTimeout', 'EntryPoint', 'Command']) assert.deepEqual(a[k], b[k], k);
    const byName = (env: Json[]) => Object.fromEntries(env.map((e) => [e.Name, e.Value]));
    // FORWARDED_ALLOW_IPS: the stack's VPC range; the file has a placeholder range to replace.
    const { FORWARDED_ALLOW_IPS: mineRange, ...mineRest } = byName(a.Environment);
    const { FORWARDED_ALLOW_IPS: stackRange, ...stackRest } = byName(b.Environment);
    assert.deepEqual(mineRest, stackRest);
    assert.match(mineRange, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
    assert.deepEqual(stackRange, { 'Fn::GetAtt': [onlyResource(stack, 'AWS::EC2::VPC')[0], 'CidrBlock'] });
    const ports = (c: Json) => c.PortMappings.map((p: Json) => [p.ContainerPort, p.Protocol ?? 'tcp', p.AppProtocol]);
    assert.deepEqual(ports(a), ports(b));
    assert.equal(a.LogConfiguration.LogDriver, b.LogConfiguration.LogDriver);
    assert.equal(a.LogConfiguration.Options['awslogs-stream-prefix'], b.LogConfiguration.Options['awslogs-stream-prefix']);
    // The same options: no awslogs-create-group (the execution role may not create groups; the stack makes its own).
    assert.deepEqual(Object.keys(a.LogConfiguration.Options).sort(), Object.keys(b.LogConfiguration.Options).sort());
  });
});
