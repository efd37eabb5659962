// lib/math-service-stack.ts: the whole deployment in one stack. One image, built
// from the repository's Dockerfile as one ECR image asset, runs on an ECS Fargate
// service and as a Lambda function; one Application Load Balancer sends each
// request to one of the two (weights chosen by the Routing parameter); the function
// also has a Function URL and an HTTP API. Bad settings never get here: they are
// refused by lib/settings.ts.
import * as path from 'path';
import {
  CfnMapping, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack, StackProps, Token,
} from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LambdaTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as image from './image';
import { NetworkSettings } from './settings';

export interface MathServiceStackProps extends StackProps {
  readonly network: NetworkSettings;
  /** The Docker build context (the repository root); default: two levels above deploy/cdk. */
  readonly dockerContext?: string;
}

/**
 * ALB weights of the ECS and the Lambda target group for each Routing parameter
 * value: Ecs/Lambda for every request, DocsEcs/DocsLambda for the Swagger UI
 * assets under /docs/. The ALB takes at most 1 MB from a Lambda function, and
 * /docs/swagger-ui-bundle.js is larger, so in split mode those go to ECS only;
 * with Routing=lambda they can only fail (use the Function URL or HTTP API).
 */
export const ROUTING_WEIGHTS: Record<string, { Ecs: number; Lambda: number; DocsEcs: number; DocsLambda: number }> = {
  ecs: { Ecs: 1, Lambda: 0, DocsEcs: 1, DocsLambda: 0 },
  lambda: { Ecs: 0, Lambda: 1, DocsEcs: 0, DocsLambda: 1 },
  split: { Ecs: 1, Lambda: 1, DocsEcs: 1, DocsLambda: 0 },
};

export class MathServiceStack extends Stack {
  constructor(scope: Construct, id: string, props: MathServiceStackProps) {
    super(scope, id, props);

    const routing = new CfnParameter(this, 'Routing', {
      type: 'String',
      allowedValues: Object.keys(ROUTING_WEIGHTS),
      default: 'ecs',
      description: 'Where the load balancer sends requests: ecs (all to Fargate), lambda (all to the function), split (half each).',
    });
    const desiredCount = new CfnParameter(this, 'EcsDesiredCount', {
      type: 'Number',
      default: 1,
      minValue: 0,
      maxValue: 10,
      description: 'Fargate tasks to run (0 stops paying for Fargate, e.g. with Routing=lambda).',
    });
    const weights = new CfnMapping(this, 'RoutingWeights', { mapping: ROUTING_WEIGHTS });

    const vpc = this.network(props.network);
    const taskSubnets: ec2.SubnetSelection = this.taskSubnets(props.network);
    const publicIp = taskSubnets.subnetType === ec2.SubnetType.PUBLIC;

    // One image for both targets, linux/amd64 like the Fargate task and the function.
    const asset = new DockerImageAsset(this, 'Image', {
      directory: props.dockerContext ?? path.resolve(__dirname, image.DOCKER_CONTEXT_FROM_LIB),
      platform: Platform.LINUX_AMD64,
      // .dockerignore (an allow-list) already keeps build/, .git and node_modules out;
      // these are kept out of the fingerprint walk as well.
      exclude: ['.git', 'build', 'deploy/cdk', 'tests/e2e', 'tests/image', 'bench'],
    });

    // ---- ECS Fargate -------------------------------------------------------------
    const ecsLogs = new logs.LogGroup(this, 'EcsLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: image.FARGATE_CPU,
      memoryLimitMiB: image.FARGATE_MEMORY_MIB,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
      },
    });
    // A read-only root and no Linux capabilities (lighttpd runs as the image's
    // user on a port above 1023); /tmp, the one path lighttpd writes (its
    // sockets, spooled bodies), is a task volume on Fargate's ephemeral storage.
    const linuxParameters = new ecs.LinuxParameters(this, 'TaskLinux');
    linuxParameters.dropCapabilities(ecs.Capability.ALL);
    taskDefinition.addVolume({ name: 'tmp' });
    // No entryPoint or command: the image's entrypoint starts lighttpd on $PORT.
    const container = taskDefinition.addContainer('math-service', {
      image: ecs.ContainerImage.fromDockerImageAsset(asset),
      essential: true,
      readonlyRootFilesystem: true,
      linuxParameters,
      portMappings: [{ name: 'http', containerPort: image.CONTAINER_PORT, appProtocol: ecs.AppProtocol.http }],
      environment: {
        PORT: String(image.CONTAINER_PORT),
        EXECUTION_ENVIRONMENT: image.EXECUTION_ENVIRONMENT.ecs,
        GRACEFUL_SHUTDOWN_TIMEOUT: String(image.GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS),
      },
      healthCheck: {
        command: image.HEALTH_CHECK_COMMAND,
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      stopTimeout: Duration.seconds(image.STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.awsLogs({ logGroup: ecsLogs, streamPrefix: 'math-service' }),
    });
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    const service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: Token.asNumber(desiredCount.valueAsNumber),
      assignPublicIp: publicIp,
      vpcSubnets: taskSubnets,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(30),
      circuitBreaker: { rollback: true },
    });

    // ---- Lambda --------------------------------------------------------------------
    const lambdaLogs = new logs.LogGroup(this, 'FunctionLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // No ImageConfig: the entrypoint runs bootstrap because Lambda sets AWS_LAMBDA_RUNTIME_API.
    const fn = new lambda.DockerImageFunction(this, 'Function', {
      code: lambda.DockerImageCode.fromEcr(asset.repository, { tagOrDigest: asset.imageTag }),
      architecture: lambda.Architecture.X86_64,
      memorySize: image.LAMBDA_MEMORY_MIB,
      timeout: Duration.seconds(image.LAMBDA_TIMEOUT_SECONDS),
      environment: { EXECUTION_ENVIRONMENT: image.EXECUTION_ENVIRONMENT.lambda },
      logGroup: lambdaLogs,
      description: 'math-service: the Dockerfile image, Lambda mode',
    });
    const functionUrl = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    const httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'math-service: every path and method to the function ($default route)',
      defaultIntegration: new HttpLambdaIntegration('Function', fn),
    });

    // ---- One ALB, two target groups --------------------------------------------------
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });
    const ecsTargets = new elbv2.ApplicationTargetGroup(this, 'EcsTargets', {
      vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: image.CONTAINER_PORT,
      // ECS deregisters a task here first, then waits this long before SIGTERM.
      deregistrationDelay: Duration.seconds(image.GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS),
      healthCheck: {
        path: image.HEALTH_CHECK_PATH,
        port: 'traffic-port',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    ecsTargets.addTarget(service.loadBalancerTarget({
      containerName: container.containerName,
      containerPort: image.CONTAINER_PORT,
    }));
    // multi-value headers: the function sees every ?i= of /math/add?i=5&i=10, not the last.
    const lambdaTargets = new elbv2.ApplicationTargetGroup(this, 'LambdaTargets', {
      targetType: elbv2.TargetType.LAMBDA,
      targets: [new LambdaTarget(fn)],
      multiValueHeadersEnabled: true,
    });
    const weighted = (ecsColumn: string, lambdaColumn: string) => elbv2.ListenerAction.weightedForward([
      { targetGroup: ecsTargets, weight: Token.asNumber(weights.findInMap(routing.valueAsString, ecsColumn)) },
      { targetGroup: lambdaTargets, weight: Token.asNumber(weights.findInMap(routing.valueAsString, lambdaColumn)) },
    ]);
    const listener = alb.addListener('Http', { port: 80, open: true, defaultAction: weighted('Ecs', 'Lambda') });
    listener.addAction('DocsAssets', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/docs/*'])],
      action: weighted('DocsEcs', 'DocsLambda'),
    });

    new CfnOutput(this, 'AlbUrl', {
      description: 'Application Load Balancer (ECS and/or Lambda, per Routing)',
      value: `http://${alb.loadBalancerDnsName}/`,
    });
    new CfnOutput(this, 'FunctionUrl', { description: 'Lambda Function URL', value: functionUrl.url });
    new CfnOutput(this, 'HttpApiUrl', {
      description: 'HTTP API endpoint (try /math/add?i=5&i=10 and /docs)',
      value: httpApi.url ?? Fn.join('', ['https://', httpApi.apiEndpoint, '/']),
    });
    new CfnOutput(this, 'EcsLogGroup', { value: ecsLogs.logGroupName });
    new CfnOutput(this, 'FunctionLogGroup', { value: lambdaLogs.logGroupName });
  }

  /** The given VPC (by attributes: no lookup, no credentials), or a new two-AZ one. */
  private network(net: NetworkSettings): ec2.IVpc {
    if (net.vpcId !== undefined) {
      return ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: net.vpcId,
        availabilityZones: net.availabilityZones,
        publicSubnetIds: net.publicSubnetIds,
        privateSubnetIds: net.privateSubnetIds.length ? net.privateSubnetIds : undefined,
      });
    }
    const subnetConfiguration: ec2.SubnetConfiguration[] = [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
    ];
    if (net.natGateways > 0) {
      subnetConfiguration.push({ name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 });
    }
    return new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'),
      maxAzs: 2,
      natGateways: net.natGateways,
      subnetConfiguration,
    });
  }

  /** Private subnets when there is a way out through NAT, else public ones (with a public IP). */
  private taskSubnets(net: NetworkSettings): ec2.SubnetSelection {
    const hasPrivate = net.vpcId !== undefined ? net.privateSubnetIds.length > 0 : net.natGateways > 0;
    return { subnetType: hasPrivate ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC };
  }
}
