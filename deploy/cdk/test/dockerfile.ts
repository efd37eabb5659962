// test/dockerfile.ts: the facts the stack must agree with, read from the files
// that make the image: the Dockerfile's last stage (EXPOSE, ENV PORT, ENTRYPOINT,
// CMD, HEALTHCHECK and the COPY that installs the health check script), the
// health check script (the path it requests) and docker/entrypoint (the
// EXECUTION_ENVIRONMENT it sets in each mode). Anything it cannot find is an Error
// naming the file and what is missing.

export interface DockerfileFacts {
  exposedPorts: number[];
  env: Record<string, string>;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  healthcheck: string[] | undefined;
  /** COPY instructions of the last stage: sources (relative to the context) and destination. */
  copies: { sources: string[]; dest: string }[];
}

/** One instruction per entry, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) && pending === '') continue;
    if (/^\s*#/.test(line)) continue; // a comment inside a continued instruction
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole === '') continue;
    const m = /^(\S+)\s*(.*)$/.exec(whole)!;
    out.push({ op: m[1].toUpperCase(), args: m[2] });
  }
  return out;
}

/** An exec-form argument list (JSON array of strings); undefined for shell form. */
function execForm(args: string): string[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[')) return undefined;
  const parsed = JSON.parse(trimmed);
  if (!Array.isArray(parsed) || parsed.some((a) => typeof a !== 'string')) {
    throw new Error(`Dockerfile: not a JSON array of strings: ${trimmed}`);
  }
  return parsed;
}

/** Facts of the Dockerfile's last stage (the image that runs). */
export function parseDockerfile(text: string): DockerfileFacts {
  const all = instructions(text);
  let start = -1;
  all.forEach((ins, i) => { if (ins.op === 'FROM') start = i; });
  if (start < 0) throw new Error('Dockerfile: no FROM');
  const facts: DockerfileFacts = {
    exposedPorts: [], env: {}, entrypoint: undefined, cmd: undefined, healthcheck: undefined, copies: [],
  };
  for (const { op, args } of all.slice(start + 1)) {
    switch (op) {
      case 'EXPOSE':
        for (const p of args.split(/\s+/)) facts.exposedPorts.push(Number(p.split('/')[0]));
        break;
      case 'ENV': {
        const pairs = args.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g);
        if (pairs) {
          for (const pair of pairs) {
            const [k, v] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
            facts.env[k] = v.replace(/^"(.*)"$/, '$1');
          }
        } else {
          const m = /^(\S+)\s+(.*)$/.exec(args);
          if (m) facts.env[m[1]] = m[2];
        }
        break;
      }
      case 'ENTRYPOINT':
        facts.entrypoint = execForm(args) ?? ['/bin/sh', '-c', args];
        facts.cmd = undefined; // ENTRYPOINT resets an inherited CMD
        break;
      case 'CMD':
        facts.cmd = execForm(args) ?? ['/bin/sh', '-c', args];
        break;
      case 'HEALTHCHECK': {
        const m = /(?:^|\s)CMD\s+(.*)$/.exec(args);
        if (/^\s*NONE\s*$/.test(args)) facts.healthcheck = undefined;
        else if (m) facts.healthcheck = ['CMD', ...(execForm(m[1]) ?? ['/bin/sh', '-c', m[1]])];
        break;
      }
      case 'COPY': {
        const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
        if (args.includes('--from=')) break; // from another stage, not from the context
        facts.copies.push({ sources: words.slice(0, -1), dest: words[words.length - 1] });
        break;
      }
    }
  }
  return facts;
}

/** The context file a COPY of the last stage installs at an absolute image path. */
export function copiedFrom(facts: DockerfileFacts, imagePath: string): string {
  for (const { sources, dest } of facts.copies) {
    for (const src of sources) {
      const base = src.split('/').pop()!;
      const target = dest.endsWith('/') ? dest + base : sources.length === 1 ? dest : `${dest}/${base}`;
      if (target === imagePath) return src;
    }
  }
  throw new Error(`Dockerfile: no COPY installs ${imagePath}`);
}

/** The request path of a health check script's request line ("GET /path HTTP/1.x"). */
export function healthCheckPath(script: string): string {
  const m = /\b(?:GET|HEAD) (\/\S*) HTTP\/1\.[01]/.exec(script);
  if (!m) throw new Error('health check script: no "GET /path HTTP/1.x" request line');
  return m[1];
}

/** The default port a health check script uses (${PORT:-N}). */
export function healthCheckPort(script: string): number {
  const m = /\$\{PORT:-(\d+)\}/.exec(script);
  if (!m) throw new Error('health check script: no ${PORT:-N}');
  return Number(m[1]);
}

/** EXECUTION_ENVIRONMENT defaults docker/entrypoint sets in its HTTP (ECS) and Lambda modes. */
export function entrypointEnvironments(script: string): { ecs: string; lambda: string } {
  const body = (fn: string): string => {
    const m = new RegExp(`^${fn}\\(\\)\\s*\\{([\\s\\S]*?)^\\}`, 'm').exec(script);
    if (!m) throw new Error(`docker/entrypoint: no function ${fn}()`);
    return m[1];
  };
  const value = (fn: string): string => {
    const m = /EXECUTION_ENVIRONMENT="?\$\{EXECUTION_ENVIRONMENT:-([^}]*)\}/.exec(body(fn));
    if (!m) throw new Error(`docker/entrypoint: ${fn}() sets no EXECUTION_ENVIRONMENT default`);
    return m[1];
  };
  return { ecs: value('run_http'), lambda: value('run_lambda') };
}
