// test/plain-cfn.ts: the two hand-written deployment files as plain CloudFormation
// resources, so that the validator checks their properties against the resource
// schemas too:
//  - deploy/ecs-task-definition.json is ECS API input (camelCase keys): the same
//    fields as AWS::ECS::TaskDefinition's, with capitalized names;
//  - deploy/template.yaml's AWS::Serverless::Function: the validator reads the SAM
//    transform but does not check a serverless function's properties against a
//    schema, so the properties SAM passes through unchanged become an
//    AWS::Lambda::Function, FunctionUrlConfig an AWS::Lambda::Url and the HttpApi
//    event an AWS::ApiGatewayV2::Api. A property of neither kind is an Error: it
//    would otherwise go unchecked.
import { Json } from './repo';

/** Object keys whose values are free-form maps: their own keys are kept as they are. */
const MAP_VALUED = new Set(['options', 'dockerLabels']);

function capitalized(value: Json, keepKeys = false): Json {
  if (Array.isArray(value)) return value.map((v) => capitalized(v));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [
    keepKeys ? k : k.charAt(0).toUpperCase() + k.slice(1),
    capitalized(v, MAP_VALUED.has(k)),
  ]));
}

/** An ECS RegisterTaskDefinition input as a template with one AWS::ECS::TaskDefinition. */
export function taskDefinitionTemplate(taskDefinition: Json): Json {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: { TaskDefinition: { Type: 'AWS::ECS::TaskDefinition', Properties: capitalized(taskDefinition) } },
  };
}

/** AWS::Serverless::Function properties that AWS::Lambda::Function has under the same name and shape. */
const LAMBDA_SAME = [
  'Architectures', 'Description', 'Environment', 'EphemeralStorage', 'FunctionName', 'Handler', 'ImageConfig',
  'LoggingConfig', 'MemorySize', 'PackageType', 'ReservedConcurrentExecutions', 'Runtime', 'Timeout', 'TracingConfig',
];
/** SAM-only properties turned into resources below (or not about the function itself). */
const SAM_ONLY = ['FunctionUrlConfig', 'Events', 'Tracing'];

/**
 * The template as deployed with a value of a parameter whose conditions choose resources
 * (LambdaPackage): the resources whose Condition is `conditions[value]`, or another
 * condition than those, or none.
 */
export function samVariant(sam: Json, conditions: Record<string, string>, value: string): Json {
  const chosen = conditions[value];
  if (chosen === undefined) throw new Error(`no condition for ${JSON.stringify(value)}`);
  const others = Object.values(conditions).filter((c) => c !== chosen);
  const resources = Object.fromEntries(Object.entries(sam.Resources).filter(([, r]) => !others.includes((r as Json).Condition)));
  return { ...sam, Resources: resources };
}

/** What sam build and sam deploy fill in for the function's code: an ECR image, or the zip uploaded to S3. */
function samCode(name: string, props: Json): Json {
  if (props.PackageType === 'Zip') {
    if (typeof props.CodeUri !== 'string' || !props.CodeUri.endsWith('.zip')) {
      throw new Error(`SAM ${name}: no check for CodeUri ${JSON.stringify(props.CodeUri)} (a .zip file, uploaded as it is, is)`);
    }
    return { S3Bucket: { 'Fn::Sub': 'sam-artifacts-${AWS::AccountId}' }, S3Key: 'math-service/lambda.zip' };
  }
  if (props.CodeUri !== undefined) throw new Error(`SAM ${name}: no check for CodeUri with PackageType ${props.PackageType}`);
  return { ImageUri: { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/math-service:latest' } };
}

/** The function of a SAM template (after its Globals) as plain CloudFormation resources. */
export function samFunctionTemplate(sam: Json): Json {
  const functions = Object.entries(sam.Resources ?? {}).filter(([, r]) => (r as Json).Type === 'AWS::Serverless::Function');
  if (functions.length !== 1) throw new Error(`SAM template: expected one AWS::Serverless::Function, got ${functions.length}`);
  const [name, fn] = functions[0] as [string, Json];
  const props: Json = { ...(sam.Globals?.Function ?? {}), ...fn.Properties };
  const unknown = Object.keys(props).filter((k) => !LAMBDA_SAME.includes(k) && !SAM_ONLY.includes(k) && k !== 'CodeUri');
  if (unknown.length) throw new Error(`SAM ${name}: no check for ${unknown.join(', ')}`);

  const lambdaProps: Json = {
    Code: samCode(name, props),
    Role: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/math-service' },
  };
  for (const k of LAMBDA_SAME) if (k in props) lambdaProps[k] = props[k];
  if (props.Tracing !== undefined) lambdaProps.TracingConfig = { Mode: props.Tracing };
  const resources: Json = { [name]: { Type: 'AWS::Lambda::Function', Properties: lambdaProps } };
  if (props.FunctionUrlConfig) {
    resources[`${name}Url`] = {
      Type: 'AWS::Lambda::Url',
      Properties: { ...props.FunctionUrlConfig, TargetFunctionArn: { 'Fn::GetAtt': [name, 'Arn'] } },
    };
  }
  for (const [eventName, event] of Object.entries(props.Events ?? {}) as [string, Json][]) {
    if (event.Type !== 'HttpApi') throw new Error(`SAM ${name}: no check for event ${eventName} of type ${event.Type}`);
    const extra = Object.keys(event.Properties ?? {}).filter((k) => k !== 'ApiId');
    if (extra.length) throw new Error(`SAM ${name}: no check for HttpApi event properties ${extra.join(', ')}`);
    // An HttpApi event with no path or method: the $default route of an API; with ApiId,
    // of that AWS::Serverless::HttpApi (its stage settings become the $default stage's).
    const apiName = `${name}${eventName}`;
    resources[apiName] = {
      Type: 'AWS::ApiGatewayV2::Api',
      Properties: { Name: `${name}-${eventName}`, ProtocolType: 'HTTP', Target: { 'Fn::GetAtt': [name, 'Arn'] } },
    };
    const api = event.Properties?.ApiId === undefined ? undefined : sam.Resources[event.Properties.ApiId.Ref];
    if (event.Properties?.ApiId !== undefined) {
      if (api?.Type !== 'AWS::Serverless::HttpApi') throw new Error(`SAM ${name}: ApiId names no AWS::Serverless::HttpApi`);
      const unknownApi = Object.keys(api.Properties ?? {}).filter((k) => k !== 'DefaultRouteSettings');
      if (unknownApi.length) throw new Error(`SAM HttpApi: no check for ${unknownApi.join(', ')}`);
      resources[`${apiName}Stage`] = {
        Type: 'AWS::ApiGatewayV2::Stage',
        Properties: { ApiId: { Ref: apiName }, StageName: '$default', DefaultRouteSettings: api.Properties.DefaultRouteSettings },
      };
    }
  }
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
}

/** A property as the validator's model gives it, as a value this check can compare. */
function plainValue(file: string, where: string, v: Json): Json {
  if (v.Concrete) return v.Concrete.value;
  // A condition: the branch that sets a value (parameters at their defaults) is checked.
  if (v.Conditional) {
    const set = [v.Conditional.if_true, v.Conditional.if_false].map((b: Json) => plainValue(file, where, b)).filter((x) => x !== null);
    if (set.length > 1 && JSON.stringify(set[0]) !== JSON.stringify(set[1])) {
      throw new Error(`${file}: ${where} differs by condition ${v.Conditional.condition}: not checked`);
    }
    return set.length ? set[0] : null;
  }
  if (v.Map) return Object.fromEntries(v.Map.entries.map((e: Json) => [e.key, plainValue(file, `${where}.${e.key}`, e.value)]));
  // A parameter with allowed values: each is checked the same way; the first stands for all.
  if (v.Enum) return plainValue(file, where, v.Enum.variants[0]);
  // A Ref to another resource of the template (an event's ApiId).
  if (v.Reference?.kind === 'REF') return { Ref: v.Reference.target };
  throw new Error(`${file}: ${where} is not a plain value`);
}

/**
 * A YAML template (CloudFormation short tags allowed) as JSON, read with the
 * validator's own parser: Type and Properties of each resource, with every
 * property a plain value (parameters at their defaults; a condition's branch that
 * sets a value). Any other dependence on a resource is an Error for the resources
 * this check compares (the function, its API); others keep a marker. A Globals
 * section is an Error.
 */
export function readYamlTemplate(file: string, text: string): Json {
  // Imported here: the WASM module loads only in tests that read YAML.
  const { TemplateModel, TemplateFile } = require('@aws/cloudformation-validate'); // eslint-disable-line
  if (/^Globals:/m.test(text)) throw new Error(`${file}: Globals are not read by this check`);
  const model = new TemplateModel(new TemplateFile(file));
  try {
    const resources: Json = {};
    for (const [id, r] of Object.entries(model.resources()) as [string, Json][]) {
      const properties: Json = {};
      const compared = /^AWS::Serverless::/.test(r.resourceType);
      for (const [k, v] of Object.entries(r.properties ?? {}) as [string, Json][]) {
        properties[k] = compared ? plainValue(file, `${id}.${k}`, v) : (v.Concrete?.value ?? { dynamic: JSON.stringify(v) });
      }
      resources[id] = { Type: r.resourceType, Condition: r.condition ?? undefined, Properties: properties, Metadata: r.metadata ?? undefined };
    }
    return { Transform: model.transforms(), Parameters: model.parameters(), Resources: resources, Outputs: model.outputs() };
  } finally {
    model.free();
  }
}
