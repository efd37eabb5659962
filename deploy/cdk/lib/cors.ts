// lib/cors.ts: CORS for the deployed service. The service owns it (app/http/cors.c,
// the same answers on Fargate behind the ALB, on Lambda behind the ALB, the HTTP
// API and the Function URL): the context settings below become its CORS_*
// environment on both compute targets, and neither the HTTP API's corsPreflight
// nor the Function URL's Cors is set. One layer owns it: two would send two
// Access-Control-Allow-Origin headers, which browsers refuse, and the ALB (the
// Fargate path) has no CORS of its own. docs/compression-cors.md says more.
import type { ContextReader } from './settings';

/** Context name -> the service's variable (the values as the service reads them). */
export const CORS_CONTEXT: Record<string, string> = {
  corsAllowOrigins: 'CORS_ALLOW_ORIGINS',
  corsAllowMethods: 'CORS_ALLOW_METHODS',
  corsAllowHeaders: 'CORS_ALLOW_HEADERS',
  corsAllowCredentials: 'CORS_ALLOW_CREDENTIALS',
  corsMaxAge: 'CORS_MAX_AGE',
  corsExposeHeaders: 'CORS_EXPOSE_HEADERS',
};

const ORIGIN = /^(\*|[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.\-[\]:%_~]+)$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A comma-separated list (an array is joined), each item checked. */
function items(name: string, value: unknown, ok: RegExp): string {
  const text = Array.isArray(value) ? value.join(',') : String(value);
  const list = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of list) {
    if (!ok.test(item)) throw new Error(`context ${name}: ${JSON.stringify(item)} does not look like ${ok}`);
  }
  if (list.length > 64) throw new Error(`context ${name}: more than 64 entries`);
  return list.join(',');
}

/**
 * The CORS_* variables for the context's cors* settings ({} when corsAllowOrigins is
 * absent: CORS off). Refused as the binaries would refuse them at start, so that a
 * deploy never ships a function that cannot start.
 */
export function readCors(read: ContextReader): Record<string, string> {
  const given = Object.keys(CORS_CONTEXT).filter((n) => read(n) !== undefined && read(n) !== '');
  if (!given.includes('corsAllowOrigins')) {
    if (given.length) throw new Error(`context ${given.join(', ')}: only used with corsAllowOrigins (CORS is off without it)`);
    return {};
  }
  const env: Record<string, string> = {};
  for (const name of given) {
    const value = read(name);
    let text: string;
    if (name === 'corsAllowOrigins') text = items(name, value, ORIGIN);
    else if (name === 'corsAllowMethods' || name === 'corsAllowHeaders' || name === 'corsExposeHeaders') {
      text = items(name, value, TOKEN);
    } else if (name === 'corsAllowCredentials') {
      text = String(value);
      if (text !== 'true' && text !== 'false') throw new Error(`context ${name}: true or false, got ${JSON.stringify(value)}`);
    } else {
      text = String(value);
      if (!/^\d{1,10}$/.test(text) || Number(text) > 2147483647) {
        throw new Error(`context ${name}: seconds (0 to 2147483647), got ${JSON.stringify(value)}`);
      }
    }
    env[CORS_CONTEXT[name]] = text;
  }
  return env;
}
