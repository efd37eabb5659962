// lib/math-service-stack.ts: the whole deployment in one stack. One image, built
// from the repository's Dockerfile as one ECR image asset, runs on an ECS Fargate
// service (at least two tasks, scaled on requests and CPU) and as a Lambda function;
// one Application Load Balancer (HTTPS when given a certificate) sends each request
// to one of the two (weights chosen by the Routing parameter); the function also has
// a Function URL and a throttled HTTP API. Alarms watch both (lib/alarms.ts). Bad
// settings never get here: they are refused by lib/settings.ts.
import * as path from 'path';
import {
  Aws, CfnMapping, CfnOutput, Duration, Fn, RemovalPolicy, Stack, StackProps, Token,
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
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { defineAlarms } from './alarms';
import { defineDashboard, METRICS_ENVIRONMENT } from './dashboard';
import * as image from './image';
import { acknowledgeNagFindings, acknowledgeNoAccessLogs } from './nag';
import { defineParameters, Parameters } from './parameters';
import { DeploySettings, HttpsSettings, InvokeMode, NetworkSettings } from './settings';

export interface MathServiceStackProps extends StackProps {
  readonly settings: DeploySettings;
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
    const { settings } = props;
    const params = defineParameters(this, Object.keys(ROUTING_WEIGHTS));
    const weights = new CfnMapping(this, 'RoutingWeights', { mapping: ROUTING_WEIGHTS });
    const arch = image.ARCHITECTURES[settings.architecture];

    const vpc = this.network(settings.network);
    const taskSubnets: ec2.SubnetSelection = this.taskSubnets(settings.network);
    const publicIp = taskSubnets.subnetType === ec2.SubnetType.PUBLIC;

    // One image for both targets, for the chosen architecture, pushed as a single-platform
    // image manifest: no attestation index (Lambda refuses an image index).
    const asset = new DockerImageAsset(this, 'Image', {
      directory: props.dockerContext ?? path.resolve(__dirname, image.DOCKER_CONTEXT_FROM_LIB),
      platform: Platform.custom(arch.dockerPlatform),
      outputs: image.IMAGE_OUTPUTS,
      // .dockerignore (an allow-list) already keeps build/, .git and node_modules out;
      // these are kept out of the fingerprint walk as well.
      exclude: ['.git', 'build', 'deploy/cdk', 'tests/e2e', 'tests/image', 'bench'],
    });

    // ---- ECS Fargate -------------------------------------------------------------
    const ecsLogs = new logs.LogGroup(this, 'EcsLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: image.FARGATE_CPU,
      memoryLimitMiB: image.FARGATE_MEMORY_MIB,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: arch.ecs,
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
        // The ALB's addresses are in the VPC: its X-Forwarded-For/-Proto are believed,
        // so logs show the client and redirects keep https.
        FORWARDED_ALLOW_IPS: vpc.vpcCidrBlock,
        ...settings.corsEnvironment, // the service owns CORS (lib/cors.ts)
        ...METRICS_ENVIRONMENT, // EMF lines for the dashboard (lib/dashboard.ts)
        // Shed a request that waited this long for a worker (lighttpd.conf then stamps it).
        ...(settings.maxQueueWaitMs ? { FCGI_MAX_QUEUE_WAIT: String(settings.maxQueueWaitMs) } : {}),
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
      desiredCount: Token.asNumber(params.ecsMinTasks.valueAsNumber),
      assignPublicIp: publicIp,
      vpcSubnets: taskSubnets,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(image.HEALTH_CHECK_GRACE_SECONDS),
      circuitBreaker: { rollback: true },
      enableExecuteCommand: settings.ecsExec,
    });

    // ---- Lambda --------------------------------------------------------------------
    const lambdaLogs = new logs.LogGroup(this, 'FunctionLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fnTimeout = Duration.seconds(image.LAMBDA_TIMEOUT_SECONDS);
    const common = {
      architecture: arch.lambda,
      memorySize: image.LAMBDA_MEMORY_MIB,
      timeout: fnTimeout,
      environment: {
        EXECUTION_ENVIRONMENT: image.EXECUTION_ENVIRONMENT.lambda,
        // The bootstrap answers in the mode the Function URL expects (the same setting).
        LAMBDA_INVOKE_MODE: settings.functionUrlInvokeMode,
        ...settings.corsEnvironment,
        ...METRICS_ENVIRONMENT,
      },
      logGroup: lambdaLogs,
      tracing: lambda.Tracing.ACTIVE,
    };
    // The image (no ImageConfig: the entrypoint runs bootstrap because Lambda sets
    // AWS_LAMBDA_RUNTIME_API), or build/lambda.zip on provided.al2023 (-c lambdaPackage=zip).
    const fn = settings.lambdaPackage === 'zip'
      ? new lambda.Function(this, 'Function', {
        ...common,
        runtime: lambda.Runtime.PROVIDED_AL2023,
        handler: 'bootstrap',
        code: lambda.Code.fromAsset(path.resolve(__dirname, image.DOCKER_CONTEXT_FROM_LIB, image.LAMBDA_ZIP)),
        description: 'math-service: build/lambda.zip on provided.al2023',
      })
      : new lambda.DockerImageFunction(this, 'Function', {
        ...common,
        code: lambda.DockerImageCode.fromEcr(asset.repository, { tagOrDigest: asset.imageTag }),
        description: 'math-service: the Dockerfile image, Lambda mode',
      });
    (fn.node.defaultChild as lambda.CfnFunction).addPropertyOverride('ReservedConcurrentExecutions',
      Fn.conditionIf(params.reservesConcurrency.logicalId, params.lambdaReservedConcurrency.valueAsNumber, Aws.NO_VALUE));
    const functionUrl = this.functionUrl(fn, params, settings.functionUrlInvokeMode);
    const httpApi = this.httpApi(fn, params);

    // ---- One ALB, two target groups --------------------------------------------------
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      idleTimeout: Duration.seconds(image.ALB_IDLE_TIMEOUT_SECONDS),
      dropInvalidHeaderFields: true,
    });
    // Access logs need the region's ELB log-delivery account at synthesis time.
    if (settings.region !== undefined) alb.logAccessLogs(this.accessLogBucket(), 'alb');
    else acknowledgeNoAccessLogs(this);
    const ecsTargets = new elbv2.ApplicationTargetGroup(this, 'EcsTargets', {
      vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: image.CONTAINER_PORT,
      // ECS deregisters a task here first, then waits this long before SIGTERM.
      deregistrationDelay: Duration.seconds(image.DEREGISTRATION_DELAY_SECONDS),
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
    const lambdaTargets = this.lambdaTargetGroup(fn, settings.stackName);

    const weighted = (ecsColumn: string, lambdaColumn: string) => elbv2.ListenerAction.weightedForward([
      { targetGroup: ecsTargets, weight: Token.asNumber(weights.findInMap(params.routing.valueAsString, ecsColumn)) },
      { targetGroup: lambdaTargets, weight: Token.asNumber(weights.findInMap(params.routing.valueAsString, lambdaColumn)) },
    ]);
    const listener = this.listeners(alb, settings.https, weighted('Ecs', 'Lambda'));
    listener.addAction('DocsAssets', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/docs/*'])],
      action: weighted('DocsEcs', 'DocsLambda'),
    });

    // ---- Scaling: at least EcsMinTasks, on requests per task and on CPU -------------
    const scaling = service.autoScaleTaskCount({
      minCapacity: Token.asNumber(params.ecsMinTasks.valueAsNumber),
      maxCapacity: Token.asNumber(params.ecsMaxTasks.valueAsNumber),
    });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: Token.asNumber(params.ecsRequestsPerTarget.valueAsNumber),
      targetGroup: ecsTargets,
      scaleInCooldown: Duration.seconds(image.SCALE_IN_COOLDOWN_SECONDS),
      scaleOutCooldown: Duration.seconds(60),
    });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: Token.asNumber(params.ecsCpuTarget.valueAsNumber),
      scaleInCooldown: Duration.seconds(image.SCALE_IN_COOLDOWN_SECONDS),
      scaleOutCooldown: Duration.seconds(60),
    });

    defineAlarms(this, { alb, ecsTargets, service, fn, fnTimeout, httpApi, topicArn: settings.alarmTopicArn });
    defineDashboard(this, ecsLogs);
    acknowledgeNagFindings(this);

    new CfnOutput(this, 'AlbUrl', {
      description: 'Application Load Balancer (ECS and/or Lambda, per Routing)',
      value: this.albUrl(alb, settings.https),
    });
    new CfnOutput(this, 'Https', {
      description: 'Whether the ALB serves HTTPS',
      value: settings.https.certificateArn === undefined
        ? 'off: HTTP only on port 80 (give -c certificateArn=arn:aws:acm:... for HTTPS on 443)'
        : 'on: HTTPS on 443, port 80 redirects to it',
    });
    new CfnOutput(this, 'FunctionUrl', { description: 'Lambda Function URL (auth: FunctionUrlAuthType)', value: functionUrl.attrFunctionUrl });
    new CfnOutput(this, 'HttpApiUrl', {
      description: 'HTTP API endpoint (try /math/add?i=5&i=10 and /docs)',
      value: httpApi.url ?? Fn.join('', ['https://', httpApi.apiEndpoint, '/']),
    });
    new CfnOutput(this, 'EcsLogGroup', { value: ecsLogs.logGroupName });
    new CfnOutput(this, 'FunctionLogGroup', { value: lambdaLogs.logGroupName });
  }

  /**
   * The Function URL, its auth type a parameter. With NONE, the two permissions a
   * public URL needs (InvokeFunctionUrl, and InvokeFunction through the URL only) exist;
   * with AWS_IAM, neither: callers need their own IAM permission. The invoke mode is the
   * function's LAMBDA_INVOKE_MODE (set with it above).
   */
  private functionUrl(fn: lambda.Function, params: Parameters, invokeMode: InvokeMode): lambda.CfnUrl {
    const url = new lambda.CfnUrl(this, 'FunctionUrlResource', {
      targetFunctionArn: fn.functionArn,
      authType: params.functionUrlAuthType.valueAsString,
      invokeMode,
    });
    const viaUrl = new lambda.CfnPermission(this, 'PublicUrlInvokeUrl', {
      action: 'lambda:InvokeFunctionUrl',
      functionName: fn.functionArn,
      principal: '*',
      functionUrlAuthType: 'NONE',
    });
    const invoke = new lambda.CfnPermission(this, 'PublicUrlInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: '*',
      invokedViaFunctionUrl: true,
    });
    for (const p of [viaUrl, invoke]) p.cfnOptions.condition = params.publicFunctionUrl;
    return url;
  }

  /** The HTTP API ($default route to the function), throttled at its stage, with access logs. */
  private httpApi(fn: lambda.Function, params: Parameters): apigwv2.HttpApi {
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'math-service: every path and method to the function ($default route)',
      defaultIntegration: new HttpLambdaIntegration('Function', fn),
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = api.defaultStage!.node.defaultChild as apigwv2.CfnStage;
    stage.defaultRouteSettings = {
      throttlingRateLimit: params.httpApiRateLimit.valueAsNumber,
      throttlingBurstLimit: params.httpApiBurstLimit.valueAsNumber,
    };
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId', ip: '$context.identity.sourceIp', requestTime: '$context.requestTime',
        method: '$context.httpMethod', path: '$context.path', status: '$context.status',
        responseLength: '$context.responseLength', integrationError: '$context.integrationErrorMessage',
      }),
    };
    return api;
  }

  /**
   * The Lambda target group (multi-value headers: the function sees every ?i= of
   * /math/add?i=5&i=10). Its invoke permission is scoped to this target group by
   * name (an ARN pattern: a Ref would make a cycle, as the group waits for it).
   */
  private lambdaTargetGroup(fn: lambda.Function, stackName: string): elbv2.ApplicationTargetGroup {
    const name = image.lambdaTargetGroupName(stackName);
    const group = new elbv2.ApplicationTargetGroup(this, 'LambdaTargets', {
      targetType: elbv2.TargetType.LAMBDA,
      targetGroupName: name,
      targets: [new LambdaTarget(fn)],
      multiValueHeadersEnabled: true,
    });
    for (const child of fn.node.findAll()) {
      if (child instanceof lambda.CfnPermission && child.principal === 'elasticloadbalancing.amazonaws.com') {
        child.sourceArn = Fn.join('', [
          'arn:', Aws.PARTITION, ':elasticloadbalancing:', Aws.REGION, ':', Aws.ACCOUNT_ID, `:targetgroup/${name}/*`,
        ]);
      }
    }
    return group;
  }

  /**
   * The listeners: with a certificate, HTTPS on 443 (the forwarding) and 80 redirecting
   * to it; without, HTTP on 80 (the forwarding). Returns the forwarding listener.
   */
  private listeners(alb: elbv2.ApplicationLoadBalancer, https: HttpsSettings,
    forward: elbv2.ListenerAction): elbv2.ApplicationListener {
    if (https.certificateArn === undefined) {
      return alb.addListener('Http', { port: 80, open: true, defaultAction: forward });
    }
    alb.addListener('HttpRedirect', {
      port: 80,
      open: true,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    const listener = alb.addListener('Https', {
      port: 443,
      open: true,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(https.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction: forward,
    });
    if (https.domainName !== undefined && https.hostedZoneId !== undefined && https.hostedZoneName !== undefined) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: https.hostedZoneId, zoneName: https.hostedZoneName,
      });
      new route53.ARecord(this, 'AliasRecord', {
        zone,
        recordName: https.domainName,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(alb)),
      });
    }
    return listener;
  }

  /** The URL clients use: https://domainName/, https://<alb dns>/ or http://<alb dns>/. */
  private albUrl(alb: elbv2.ApplicationLoadBalancer, https: HttpsSettings): string {
    if (https.certificateArn === undefined) return `http://${alb.loadBalancerDnsName}/`;
    return `https://${https.domainName ?? alb.loadBalancerDnsName}/`;
  }

  /**
   * Where the ALB writes its access logs: private, encrypted, TLS only, kept
   * ACCESS_LOG_DAYS, and kept when the stack is deleted (they may be evidence).
   */
  private accessLogBucket(): s3.Bucket {
    return new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(image.ACCESS_LOG_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The given VPC (by attributes: no lookup, no credentials), or a new two-AZ one. */
  private network(net: NetworkSettings): ec2.IVpc {
    if (net.vpcId !== undefined) {
      return ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: net.vpcId,
        vpcCidrBlock: net.vpcCidr,
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
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(image.NEW_VPC_CIDR),
      maxAzs: 2,
      natGateways: net.natGateways,
      subnetConfiguration,
    });
    // Rejected traffic only: what explains a connection that does not get through, at little cost.
    vpc.addFlowLog('FlowLogs', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogGroup', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      })),
    });
    return vpc;
  }

  /** Private subnets when there is a way out through NAT, else public ones (with a public IP). */
  private taskSubnets(net: NetworkSettings): ec2.SubnetSelection {
    const hasPrivate = net.vpcId !== undefined ? net.privateSubnetIds.length > 0 : net.natGateways > 0;
    return { subnetType: hasPrivate ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC };
  }
}
