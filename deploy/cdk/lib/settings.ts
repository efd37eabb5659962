// lib/settings.ts: the deployment choices given with `cdk deploy -c NAME=VALUE`
// (or in cdk.json's "context"), read and checked before any construct is made.
// A bad value stops synthesis with an Error naming the setting; nothing is guessed.

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
}

export interface DeploySettings {
  readonly stackName: string;
  readonly network: NetworkSettings;
}

/** What the app reads: a context value by name (App.node.tryGetContext). */
export type ContextReader = (name: string) => unknown;

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const AZ_NAME = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;

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

  if (vpcId === undefined) {
    const given = ['availabilityZones', 'publicSubnetIds', 'privateSubnetIds'].filter((n) => list(read, n).length);
    if (given.length) throw new Error(`context ${given.join(', ')}: only used with vpcId (an existing VPC)`);
  } else {
    if (!VPC_ID.test(vpcId)) throw new Error(`context vpcId: ${JSON.stringify(vpcId)} does not look like ${VPC_ID}`);
    if (natGateways !== 0) throw new Error('context natGateways: only for a new VPC, not with vpcId');
    checkAll('availabilityZones', availabilityZones, AZ_NAME);
    checkAll('publicSubnetIds', publicSubnetIds, SUBNET_ID);
    checkAll('privateSubnetIds', privateSubnetIds, SUBNET_ID);
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
  return { stackName, network: { vpcId, availabilityZones, publicSubnetIds, privateSubnetIds, natGateways } };
}
