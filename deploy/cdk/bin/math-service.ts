// bin/math-service.ts: the CDK app. Reads the -c settings (lib/settings.ts) and
// defines one stack, checked by cdk-nag's AwsSolutions rules (an unsuppressed
// finding fails synthesis; lib/nag.ts lists the accepted ones). The stack is
// environment-agnostic (no account or region in it): `cdk deploy` takes both from
// the AWS profile, and synthesis never looks anything up, so `cdk synth` runs
// without credentials or network.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MathServiceStack } from '../lib/math-service-stack';
import { readSettings } from '../lib/settings';

const app = new App();
const settings = readSettings((name) => app.node.tryGetContext(name));
new MathServiceStack(app, settings.stackName, {
  settings,
  env: settings.region === undefined ? undefined : { region: settings.region },
  description: 'math-service: one image on ECS Fargate and AWS Lambda behind one Application Load Balancer',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
