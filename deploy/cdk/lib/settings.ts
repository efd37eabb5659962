// lib/settings.ts: the deployment choices given with `cdk deploy -c NAME=VALUE`
// (or in cdk.json's "context"), read and checked before any construct is made.
// A bad value stops synthesis with an Error naming the setting; nothing is guessed.

import { readCors } from './cors';

/** Where the stack runs: an existing VPC (given by its attributes), or a new one. */
export interface NetworkSettings {
  /** Existing VPC id (vpc-...); absent: the stack creates a two-AZ VPC. */
  readonly vpcId?: string;
  /** Existing VPC: its availability zones, one per subnet below. */
  readonly availabilityZones: string[];
  /** Existing VPC: public subnets (the ALB; the tasks too when no private subnets are given). */
  readonly publicSubnetIds: string[];
  /** Existing VPC: private subnets with a route out (NAT) for the tasks; optional. */
  readonly privateSubnetIds: string[];
  /** New VPC: NAT gateways (0: public subnets only, tasks get a public IP). */
  readonly natGateways: number;
  /** Existing VPC: its IPv4 range (the ALB's addresses, trusted for X-Forwarded-*). */
  readonly vpcCidr?: string;
}

/** HTTPS on the ALB: an ACM certificate, and optionally a DNS name in a Route 53 zone. */
export interface HttpsSettings {
  /** ACM certificate ARN (in the stack's region); absent: the ALB serves HTTP only. */
  readonly certificateArn?: string;
  /** The name clients use (the certificate must cover it); absent: the ALB's own DNS name. */
  readonly domainName?: string;
  /** Route 53 hosted zone for domainName (id and name): an alias record is made there. */
  readonly hostedZoneId?: string;
  readonly hostedZoneName?: string;
}

/** How a Function URL takes the answer: one document (BUFFERED) or streamed (RESPONSE_STREAM). */
export type InvokeMode = 'BUFFERED' | 'RESPONSE_STREAM';
export const INVOKE_MODES: readonly InvokeMode[] = ['BUFFERED', 'RESPONSE_STREAM'];

/** CPU architecture of both compute targets (the image is built for it). */
export type Architecture = 'x86_64' | 'arm64';

export interface DeploySettings {
  readonly stackName: string;
  /** The region the stack is for (-c region); absent: environment-agnostic, no ALB access logs. */
  readonly region?: string;
  readonly network: NetworkSettings;
  readonly https: HttpsSettings;
  readonly architecture: Architecture;
  /** SNS topic the alarms notify; absent: alarms without actions (visible in the console). */
  readonly alarmTopicArn?: string;
  /** ECS Exec (aws ecs execute-command) into the tasks; off by default. */
  readonly ecsExec: boolean;
  /** How the function is deployed: the container image, or build/lambda.zip on provided.al2023. */
  readonly lambdaPackage: 'image' | 'zip';
  /**
   * The Function URL's invoke mode; the function gets the same as LAMBDA_INVOKE_MODE (the
   * bootstrap's setting, docs/lambda.md), so the URL and the runtime never disagree.
   */
  readonly functionUrlInvokeMode: InvokeMode;
  /** CORS_* for both compute targets (lib/cors.ts); {}: CORS off. */
  readonly corsEnvironment: Record<string, string>;
  /**
   * The ECS tasks' FCGI_MAX_QUEUE_WAIT in ms (app.fcgi --max-queue-wait): a request that
   * waited longer for a worker gets a quick 503 instead of an ALB timeout; 0: no limit.
   */
  readonly maxQueueWaitMs: number;
}

/** The ECS tasks' default queue-wait limit: far above a healthy wait (microseconds), far below
 * the ALB's idle timeout, so only a pool that cannot keep up sheds. */
export const DEFAULT_MAX_QUEUE_WAIT_MS = 2000;

/** What the app reads: a context value by name (App.node.tryGetContext). */
export type ContextReader = (name: string) => unknown;

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const AZ_NAME = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** A DNS name: labels of letters, digits and inner hyphens, at least two, no trailing dot. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A string setting, or undefined when absent or empty. */
function optional(read: ContextReader, name: string): string | undefined {
  const value = read(name);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** An optional string setting that must match a pattern. */
function checked(read: ContextReader, name: string, pattern: RegExp): string | undefined {
  const value = optional(read, name);
  if (value !== undefined && !pattern.test(value)) {
    throw new Error(`context ${name}: ${JSON.stringify(value)} does not look like ${pattern}`);
  }
  return value;
}

/** true/false (or the strings), default false. */
function flag(read: ContextReader, name: string): boolean {
  const value = read(name);
  if (value === undefined || value === null || value === '' || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`context ${name}: expected true or false, got ${JSON.stringify(value)}`);
}

/** An IPv4 CIDR with octets and prefix in range. */
function checkCidr(name: string, value: string): void {
  const m = CIDR.exec(value);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new Error(`context ${name}: ${JSON.stringify(value)} is not an IPv4 CIDR`);
  }
}

function readHttps(read: ContextReader): HttpsSettings {
  const certificateArn = checked(read, 'certificateArn', CERTIFICATE_ARN);
  const domainName = checked(read, 'domainName', DNS_NAME);
  const hostedZoneId = checked(read, 'hostedZoneId', HOSTED_ZONE_ID);
  const hostedZoneName = checked(read, 'hostedZoneName', DNS_NAME);
  if (domainName !== undefined && certificateArn === undefined) {
    throw new Error('context domainName: needs certificateArn (a certificate for that name)');
  }
  if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
    throw new Error('context hostedZoneId, hostedZoneName: give both or neither');
  }
  if (hostedZoneId !== undefined && domainName === undefined) {
    throw new Error('context hostedZoneId: only with domainName (the record to make)');
  }
  if (hostedZoneName !== undefined && domainName !== undefined &&
      domainName !== hostedZoneName && !domainName.endsWith(`.${hostedZoneName}`)) {
    throw new Error(`context domainName: ${domainName} is not in the zone ${hostedZoneName}`);
  }
  return { certificateArn, domainName, hostedZoneId, hostedZoneName };
}

/** image (default) or zip; the zip is built for x86_64 only (make lambda-zip). */
function readLambdaPackage(read: ContextReader, architecture: Architecture): 'image' | 'zip' {
  const value = String(read('lambdaPackage') ?? 'image');
  if (value !== 'image' && value !== 'zip') {
    throw new Error(`context lambdaPackage: expected image or zip, got ${JSON.stringify(value)}`);
  }
  if (value === 'zip' && architecture !== 'x86_64') {
    throw new Error('context lambdaPackage: the zip (make lambda-zip) is built for x86_64 only');
  }
  return value;
}

/** BUFFERED (default) or RESPONSE_STREAM, exactly (AWS spells them so); anything else is refused. */
function readInvokeMode(read: ContextReader): InvokeMode {
  const value = read('functionUrlInvokeMode');
  if (value === undefined || value === null || value === '') return 'BUFFERED';
  const mode = INVOKE_MODES.find((m) => m === value);
  if (mode === undefined) {
    throw new Error(`context functionUrlInvokeMode: expected ${INVOKE_MODES.join(' or ')}, got ${JSON.stringify(value)}`);
  }
  return mode;
}

/** An integer from 0 (off) to 60000 ms (lighttpd's answer timeout, 60 s in the image: a longer
 * wait would time out first); absent or empty: the default. */
function readMaxQueueWait(read: ContextReader): number {
  const value = read('maxQueueWaitMs');
  if (value === undefined || value === null || value === '') return DEFAULT_MAX_QUEUE_WAIT_MS;
  const ms = typeof value === 'number' || (typeof value === 'string' && /^[0-9]+$/.test(value)) ? Number(value) : NaN;
  if (!Number.isInteger(ms) || ms < 0 || ms > 60000) {
    throw new Error(`context maxQueueWaitMs: expected an integer from 0 (off) to 60000, got ${JSON.stringify(value)}`);
  }
  return ms;
}

function readArchitecture(read: ContextReader): Architecture {
  const value = String(read('architecture') ?? 'x86_64');
  if (value !== 'x86_64' && value !== 'arm64') {
    throw new Error(`context architecture: expected x86_64 or arm64, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A comma-separated list (as -c gives it) or a JSON array (as cdk.json gives it); absent: []. */
function list(read: ContextReader, name: string): string[] {
  const value = read(name);
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value.map((v) => String(v).trim());
  if (typeof value === 'string') return value.split(',').map((v) => v.trim());
  throw new Error(`context ${name}: expected a comma-separated list, got ${JSON.stringify(value)}`);
}

function checkAll(name: string, values: string[], pattern: RegExp): void {
  for (const v of values) {
    if (!pattern.test(v)) throw new Error(`context ${name}: ${JSON.stringify(v)} does not look like ${pattern}`);
  }
}

/** Reads and checks the context; throws an Error naming the first bad setting. */
export function readSettings(read: ContextReader): DeploySettings {
  const stackName = String(read('stackName') ?? 'MathService');
  if (!STACK_NAME.test(stackName)) throw new Error(`context stackName: ${JSON.stringify(stackName)} is not a stack name`);

  const rawNat = read('natGateways') ?? 0;
  const natGateways = Number(rawNat);
  if (!Number.isInteger(natGateways) || natGateways < 0 || natGateways > 2) {
    throw new Error(`context natGateways: expected 0, 1 or 2, got ${JSON.stringify(rawNat)}`);
  }

  const vpcIdValue = read('vpcId');
  const vpcId = vpcIdValue === undefined || vpcIdValue === '' ? undefined : String(vpcIdValue);
  const availabilityZones = list(read, 'availabilityZones');
  const publicSubnetIds = list(read, 'publicSubnetIds');
  const privateSubnetIds = list(read, 'privateSubnetIds');
  const vpcCidr = optional(read, 'vpcCidr');

  if (vpcId === undefined) {
    const given = ['availabilityZones', 'publicSubnetIds', 'privateSubnetIds', 'vpcCidr'].filter((n) => list(read, n).length);
    if (given.length) throw new Error(`context ${given.join(', ')}: only used with vpcId (an existing VPC)`);
  } else {
    if (!VPC_ID.test(vpcId)) throw new Error(`context vpcId: ${JSON.stringify(vpcId)} does not look like ${VPC_ID}`);
    if (natGateways !== 0) throw new Error('context natGateways: only for a new VPC, not with vpcId');
    checkAll('availabilityZones', availabilityZones, AZ_NAME);
    checkAll('publicSubnetIds', publicSubnetIds, SUBNET_ID);
    checkAll('privateSubnetIds', privateSubnetIds, SUBNET_ID);
    if (vpcCidr === undefined) {
      throw new Error('context vpcCidr: needed with vpcId (the load balancer\'s range, trusted for X-Forwarded-For)');
    }
    checkCidr('vpcCidr', vpcCidr);
    if (availabilityZones.length < 2) {
      throw new Error('context availabilityZones: an ALB needs subnets in at least two zones');
    }
    if (publicSubnetIds.length !== availabilityZones.length) {
      throw new Error(`context publicSubnetIds: one per availability zone (${availabilityZones.length}), got ${publicSubnetIds.length}`);
    }
    if (privateSubnetIds.length && privateSubnetIds.length !== availabilityZones.length) {
      throw new Error(`context privateSubnetIds: one per availability zone (${availabilityZones.length}), got ${privateSubnetIds.length}`);
    }
  }
  const architecture = readArchitecture(read);
  return {
    stackName,
    region: checked(read, 'region', REGION),
    network: { vpcId, availabilityZones, publicSubnetIds, privateSubnetIds, natGateways, vpcCidr },
    https: readHttps(read),
    architecture,
    lambdaPackage: readLambdaPackage(read, architecture),
    functionUrlInvokeMode: readInvokeMode(read),
    alarmTopicArn: checked(read, 'alarmTopicArn', SNS_ARN),
    ecsExec: flag(read, 'ecsExec'),
    corsEnvironment: readCors(read),
    maxQueueWaitMs: readMaxQueueWait(read),
  };
}
