// test/validate.test.ts: every template is checked by AWS's offline validator
// (test/validate.ts): the CDK stack as `make cdk-synth` wrote it, and the two
// hand-written files kept for those who deploy without CDK (SAM template, ECS task
// definition), which must also run the image as the stack does. The hostile cases
// break a template in one place and the validator must say so.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it } from 'node:test';
import { CDK_OUT, Json, REPO_ROOT, onlyResource, readRepoFile, stackTemplate } from './repo';
import { INVOKE_MODES } from '../lib/settings';
import { readYamlTemplate, samFunctionTemplate, samVariant, taskDefinitionTemplate } from './plain-cfn';
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
}, {
  ruleId: 'W1001', message: /^Reference to '(MathServiceApi|MathServiceZipApi)' which is conditional on '(ImagePackage|ZipPackage)' - target may not exist$/,
  why: 'the HttpApiUrl output names each API under its own condition (Fn::If ZipPackage); the validator does not follow ' +
    'an Fn::If into a Ref of a Serverless::HttpApi (cfn-lint 1.51 with the SAM transform does not report it)',
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
    ['a Function URL that streams', { functionUrlInvokeMode: 'RESPONSE_STREAM' }],
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

/** The SAM template's LambdaPackage values and the condition that selects each one's resources. */
const SAM_PACKAGES: Record<string, string> = { image: 'ImagePackage', zip: 'ZipPackage' };
/** The function of the template as deployed with LambdaPackage=pkg, as plain resources. */
const samAs = (template: Json, pkg: string): Json => samFunctionTemplate(samVariant(template, SAM_PACKAGES, pkg));
/** The one function of a variant: [name, properties]. */
const samFn = (template: Json, pkg: string): [string, Json] => {
  const fns = Object.entries(samVariant(template, SAM_PACKAGES, pkg).Resources)
    .filter(([, r]) => (r as Json).Type === 'AWS::Serverless::Function') as [string, Json][];
  assert.equal(fns.length, 1, `LambdaPackage=${pkg}: one function`);
  return [fns[0][0], fns[0][1].Properties];
};
/** deploy/template.yaml with the FunctionUrlInvokeMode parameter's value `mode` (the model reads a file). */
function samWithInvokeMode(mode: string): Json {
  const text = readRepoFile('deploy/template.yaml');
  const allowed = '    AllowedValues: [BUFFERED, RESPONSE_STREAM]\n';
  const i = text.indexOf(allowed, text.indexOf('  FunctionUrlInvokeMode:\n'));
  assert.ok(i > 0, 'the FunctionUrlInvokeMode parameter lists its values');
  // The validator's model stands a parameter's first allowed value for all of them.
  const others = ['BUFFERED', 'RESPONSE_STREAM'].filter((m) => m !== mode);
  const changed = text.slice(0, i) + `    AllowedValues: [${[mode, ...others].join(', ')}]\n` + text.slice(i + allowed.length);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'math-service-sam-'));
  try {
    const file = path.join(dir, 'template.yaml');
    fs.writeFileSync(file, changed);
    return readYamlTemplate(file, changed);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('deploy/template.yaml (SAM)', () => {
  it('passes the validator (SAM transform read; only the generated Url GetAtt accepted)', () => {
    assert.deepEqual(findings(SAM_FILE, SAM_ACCEPTED), []);
  });

  for (const pkg of Object.keys(SAM_PACKAGES)) {
    it(`LambdaPackage=${pkg}: its function, Function URL and HTTP API pass as plain CloudFormation resources`, () => {
      assert.deepEqual(findingsOf(samAs(sam, pkg)), []);
    });
  }

  it('LambdaPackage chooses between the two, nothing else (image by default, as the CDK app)', () => {
    assert.deepEqual(sam.Parameters.LambdaPackage.allowedValues, Object.keys(SAM_PACKAGES));
    assert.equal(sam.Parameters.LambdaPackage.default, 'image');
    assert.throws(() => samVariant(sam, SAM_PACKAGES, 'tarball'), /no condition for "tarball"/);
  });

  it('each function has an HTTP API of its own, with its condition (SAM takes one $default route per API)', () => {
    for (const [pkg, condition] of Object.entries(SAM_PACKAGES)) {
      const [name, props] = samFn(sam, pkg);
      assert.equal(sam.Resources[name].Condition, condition, `${name}'s condition`);
      for (const event of Object.values(props.Events) as Json[]) {
        const api = sam.Resources[event.Properties.ApiId.Ref];
        assert.equal(api?.Type, 'AWS::Serverless::HttpApi');
        assert.equal(api.Condition, condition, `${name}'s API ${event.Properties.ApiId.Ref}`);
      }
    }
    const apis = Object.values(sam.Resources).filter((r: Json) => r.Type === 'AWS::Serverless::HttpApi') as Json[];
    assert.equal(new Set(apis.map((a) => a.Condition)).size, apis.length, 'no API shared');
  });

  it('a bad property is caught through the plain resources, in either variant', () => {
    for (const pkg of Object.keys(SAM_PACKAGES)) {
      const copy = JSON.parse(JSON.stringify(sam));
      const [name] = samFn(copy, pkg);
      const props = copy.Resources[name].Properties;
      props.MemorySize = 'lots';
      assert.match(findingsOf(samAs(copy, pkg)).join('\n'), /'lots' is not of type 'integer'/, pkg);
      props.MemorySize = 256;
      props.FunctionUrlConfig.AuthType = 'OPEN';
      assert.match(findingsOf(samAs(copy, pkg)).join('\n'), /'OPEN' is not one of/, pkg);
      props.CodeUri = '.';
      assert.throws(() => samAs(copy, pkg), /no check for CodeUri/, pkg);
    }
    const copy = JSON.parse(JSON.stringify(sam));
    copy.Resources[samFn(copy, 'zip')[0]].Properties.Runtime = 'provided.al2024';
    assert.match(findingsOf(samAs(copy, 'zip')).join('\n'), /'provided.al2024' is not one of/);
  });

  it('the image runs as the stack\'s image function; the zip as the stack\'s zip function; both with the same limits', () => {
    const pairs: [string, Json][] = [['image', stack], ['zip', synthWith({ lambdaPackage: 'zip' }).toJSON()]];
    for (const [pkg, cdk] of pairs) {
      const [, cdkFn] = onlyResource(cdk, 'AWS::Lambda::Function');
      const [, mine] = samFn(sam, pkg);
      for (const k of ['PackageType', 'Architectures', 'MemorySize', 'Timeout', 'Environment', 'Runtime', 'Handler']) {
        assert.deepEqual(mine[k], cdkFn.Properties[k] ?? (k === 'PackageType' ? 'Zip' : undefined), `${pkg} ${k}`);
      }
      assert.equal(mine.ImageConfig, undefined);
      assert.equal(mine.Tracing, cdkFn.Properties.TracingConfig.Mode);
    }
    assert.equal(samFn(sam, 'zip')[1].CodeUri, '../build/lambda.zip', 'the zip make lambda-zip writes (relative to deploy/)');
    // Everything but the package, the code and the API the events name is the same in both.
    const shared = (props: Json): Json => {
      const { PackageType, CodeUri, Runtime, Handler, Events, ...rest } = props;
      void PackageType; void CodeUri; void Runtime; void Handler;
      return { ...rest, Events: Object.keys(Events) };
    };
    assert.deepEqual(shared(samFn(sam, 'zip')[1]), shared(samFn(sam, 'image')[1]));
  });

  for (const mode of INVOKE_MODES) {
    it(`FunctionUrlInvokeMode=${mode}: the Function URL's InvokeMode and LAMBDA_INVOKE_MODE of both variants`, () => {
      const t = samWithInvokeMode(mode);
      for (const pkg of Object.keys(SAM_PACKAGES)) {
        const [, props] = samFn(t, pkg);
        assert.equal(props.FunctionUrlConfig.InvokeMode, mode, `${pkg} URL`);
        assert.equal(props.Environment.Variables.LAMBDA_INVOKE_MODE, mode, `${pkg} LAMBDA_INVOKE_MODE`);
      }
    });
  }

  it('FunctionUrlInvokeMode takes the CDK app\'s values only, BUFFERED by default (CloudFormation refuses others)', () => {
    assert.deepEqual(sam.Parameters.FunctionUrlInvokeMode.allowedValues, [...INVOKE_MODES]);
    assert.equal(sam.Parameters.FunctionUrlInvokeMode.default, 'BUFFERED');
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
    for (const pkg of Object.keys(SAM_PACKAGES)) {
      const [name, props] = samFn(sam, pkg);
      assert.equal(props.FunctionUrlConfig.AuthType, cdkParams.FunctionUrlAuthType.Default);
      const logs = Object.values(sam.Resources).filter((r: Json) => r.Type === 'AWS::Logs::LogGroup') as Json[];
      assert.equal(logs.length, 1, 'one log group, named after the function deployed');
      const [, cdkFn] = onlyResource(stack, 'AWS::Lambda::Function');
      const cdkLogs = stack.Resources[cdkFn.Properties.LoggingConfig.LogGroup.Ref];
      assert.equal(logs[0].Properties.RetentionInDays, cdkLogs.Properties.RetentionInDays);
      const group = JSON.parse(logs[0].Properties.LogGroupName.dynamic).Conditional;
      const branch = group.condition === SAM_PACKAGES[pkg] ? group.if_true : group.if_false;
      assert.equal(branch.Dynamic.reason, `Sub:/aws/lambda/\${${name}}`, `${pkg} log group`);
      const apiId = (Object.values(props.Events)[0] as Json).Properties.ApiId.Ref;
      assert.deepEqual(sam.Resources[apiId].Properties.DefaultRouteSettings, {
        ThrottlingRateLimit: cdkParams.HttpApiRateLimit.Default, ThrottlingBurstLimit: cdkParams.HttpApiBurstLimit.Default,
      });
      assert.deepEqual(Object.values(props.Events).map((e: Json) => e.Type), ['HttpApi']);
    }
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
