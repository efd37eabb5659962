// test/cors.test.ts: the service owns CORS (lib/cors.ts). The cors* context settings
// reach both compute targets as CORS_*; neither the HTTP API nor the Function URL
// has a CORS configuration of its own (two layers would send two
// Access-Control-Allow-Origin headers); bad values stop synthesis.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { synthWith } from './synth';

const CORS = {
  corsAllowOrigins: 'https://app.example.com,https://admin.example.com',
  corsAllowMethods: 'GET,POST',
  corsAllowHeaders: 'Authorization,X-Custom',
  corsAllowCredentials: 'true',
  corsMaxAge: '3600',
  corsExposeHeaders: 'X-Request-Id',
};
const ENV = {
  CORS_ALLOW_ORIGINS: 'https://app.example.com,https://admin.example.com',
  CORS_ALLOW_METHODS: 'GET,POST',
  CORS_ALLOW_HEADERS: 'Authorization,X-Custom',
  CORS_ALLOW_CREDENTIALS: 'true',
  CORS_MAX_AGE: '3600',
  CORS_EXPOSE_HEADERS: 'X-Request-Id',
};

describe('CORS: the service owns it', () => {
  const template = synthWith(CORS);

  it('the function gets every CORS_* variable', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike(ENV) },
    });
  });

  it('the Fargate container gets the same', () => {
    const defs = template.findResources('AWS::ECS::TaskDefinition');
    const env = Object.values(defs)[0].Properties.ContainerDefinitions[0].Environment as { Name: string; Value: string }[];
    for (const [name, value] of Object.entries(ENV)) {
      assert.deepEqual(env.filter((e) => e.Name === name), [{ Name: name, Value: value }], name);
    }
  });

  it('neither the HTTP API nor the Function URL answers CORS itself', () => {
    for (const api of Object.values(template.findResources('AWS::ApiGatewayV2::Api'))) {
      assert.equal(api.Properties.CorsConfiguration, undefined);
    }
    for (const url of Object.values(template.findResources('AWS::Lambda::Url'))) {
      assert.equal(url.Properties.Cors, undefined);
    }
  });

  it('off by default: no CORS_* anywhere', () => {
    const plain = JSON.stringify(synthWith({}).toJSON());
    assert.equal(plain.includes('CORS_'), false);
  });

  it('bad values stop synthesis, naming the setting', () => {
    assert.throws(() => synthWith({ corsAllowOrigins: 'https://a.example/path' }), /corsAllowOrigins/);
    assert.throws(() => synthWith({ corsAllowMethods: 'GET' }), /only used with corsAllowOrigins/);
    assert.throws(() => synthWith({ corsAllowOrigins: '*', corsMaxAge: '-1' }), /corsMaxAge/);
    assert.throws(() => synthWith({ corsAllowOrigins: '*', corsAllowCredentials: 'yes' }), /corsAllowCredentials/);
    assert.throws(() => synthWith({ corsAllowOrigins: '*', corsAllowHeaders: 'X A' }), /corsAllowHeaders/);
  });
});
