// test/dockerfile.ts: the facts the stack must agree with, read from the files
// that make the image: the Dockerfile's last stage (EXPOSE, ENV PORT, ENTRYPOINT,
// CMD, HEALTHCHECK), the context file each script of the image comes from (a COPY,
// or an `install` in a RUN of the build stage whose /rootfs the last stage
// copies: COPY --from=build /rootfs/ /, via docker/assemble-rootfs), the
// health check script (the path it requests) and docker/entrypoint (the
// EXECUTION_ENVIRONMENT it sets in each mode). Anything it cannot find is an Error
// naming the file and what is missing.

/** Where files of a stage come from, in the order its instructions put them there. */
export type Origin =
  /** COPY from the build context, or `install SRC... DEST` in a RUN whose SRCs are context files. */
  | { kind: 'context'; sources: string[]; dest: string }
  /** COPY --from=STAGE SRC DEST: the tree at SRC in that stage. */
  | { kind: 'stage'; from: string; src: string; dest: string }
  /** RUN docker/assemble-rootfs ROOT: ROOT/usr/local is the stage's /usr/local (if the script copies it). */
  | { kind: 'rootfs'; script: string; root: string };

export interface Stage {
  name: string | undefined;
  origins: Origin[];
}

export interface DockerfileFacts {
  exposedPorts: number[];
  env: Record<string, string>;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  healthcheck: string[] | undefined;
  /** Every stage, the last one (the image that runs) last. */
  stages: Stage[];
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

/** An absolute path, `.` and `..` resolved; a trailing slash kept. */
function absolute(dir: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${dir}/${path}`;
  const parts: string[] = [];
  for (const p of joined.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop(); else parts.push(p);
  }
  const abs = '/' + parts.join('/');
  return /\/\.?$/.test(path) && abs !== '/' ? abs + '/' : abs;
}

/** The `install SRC... DEST` commands of a RUN (shell form): operands, options dropped. */
function installCommands(args: string): { sources: string[]; dest: string }[] {
  const out: { sources: string[]; dest: string }[] = [];
  for (const segment of args.split(/&&|\|\||;/)) {
    const words = segment.trim().split(/\s+/);
    if (words[0] !== 'install') continue;
    const operands: string[] = [];
    let target: string | undefined;
    let directories = false;
    for (let i = 1; i < words.length; i++) {
      const w = words[i];
      if (/^-[mogt]$/.test(w)) { if (w === '-t') target = words[i + 1]; i++; continue; }
      if (w.startsWith('--target-directory=')) { target = w.slice(w.indexOf('=') + 1); continue; }
      if (w === '-d' || w === '--directory') directories = true;
      if (w.startsWith('-')) continue;
      operands.push(w);
    }
    if (directories) continue;
    if (target !== undefined) out.push({ sources: operands, dest: target.endsWith('/') ? target : target + '/' });
    else if (operands.length >= 2) out.push({ sources: operands.slice(0, -1), dest: operands[operands.length - 1] });
  }
  return out;
}

/** Facts of the Dockerfile's last stage (the image that runs), and where each stage's files come from. */
export function parseDockerfile(text: string): DockerfileFacts {
  const all = instructions(text);
  const facts: DockerfileFacts = {
    exposedPorts: [], env: {}, entrypoint: undefined, cmd: undefined, healthcheck: undefined, stages: [],
  };
  let workdir = '/';
  let contextDirs: string[] = []; // where COPY . DIR put the whole context in this stage
  for (const { op, args } of all) {
    if (op === 'FROM') {
      const m = /\s+AS\s+(\S+)\s*$/i.exec(args);
      facts.stages.push({ name: m?.[1], origins: [] });
      Object.assign(facts, { exposedPorts: [], env: {}, entrypoint: undefined, cmd: undefined, healthcheck: undefined });
      workdir = '/';
      contextDirs = [];
      continue;
    }
    const stage = facts.stages[facts.stages.length - 1];
    if (!stage) throw new Error(`Dockerfile: ${op} before any FROM`);
    switch (op) {
      case 'WORKDIR':
        workdir = absolute(workdir, args.trim()).replace(/(.)\/$/, '$1');
        break;
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
        const dest = absolute(workdir, words[words.length - 1]);
        const from = /--from=(\S+)/.exec(args);
        if (from) {
          stage.origins.push({ kind: 'stage', from: from[1], src: absolute('/', words[0]), dest });
        } else {
          const sources = words.slice(0, -1);
          if (sources.length === 1 && /^\.\/?$/.test(sources[0])) contextDirs.push(dest.replace(/(.)\/$/, '$1'));
          else stage.origins.push({ kind: 'context', sources, dest });
        }
        break;
      }
      case 'RUN': {
        // A path of the RUN as a file of the context (under a COPY . DIR of this stage), or undefined.
        const contextFile = (path: string): string | undefined => {
          const abs = absolute(workdir, path);
          const dir = contextDirs.find((d) => abs.startsWith(d === '/' ? '/' : d + '/'));
          return dir === undefined ? undefined : abs.slice(dir === '/' ? 1 : dir.length + 1);
        };
        for (const { sources, dest } of installCommands(args)) {
          const fromContext = sources.map(contextFile);
          if (fromContext.every((f) => f !== undefined)) {
            stage.origins.push({ kind: 'context', sources: fromContext as string[], dest: absolute(workdir, dest) });
          }
        }
        const rootfs = /(?:^|&&|;)\s*(\S*assemble-rootfs)\s+(\S+)\s*(?:$|&&|;)/.exec(args);
        const script = rootfs ? contextFile(rootfs[1]) : undefined;
        if (rootfs && script !== undefined) {
          stage.origins.push({ kind: 'rootfs', script, root: absolute(workdir, rootfs[2]).replace(/(.)\/$/, '$1') });
        }
        break;
      }
    }
  }
  if (facts.stages.length === 0) throw new Error('Dockerfile: no FROM');
  return facts;
}

/** Where a file ends up that `sources` put at `dest` (a directory if it ends in / or there are several sources). */
function target(src: string, sources: string[], dest: string): string {
  const base = src.replace(/\/$/, '').split('/').pop()!;
  return dest.endsWith('/') ? dest + base : sources.length === 1 ? dest : `${dest}/${base}`;
}

/**
 * The context file that puts an absolute image path in the last stage: a COPY from
 * the context, or a COPY --from=STAGE of a tree in which an `install` (in a RUN)
 * or a COPY put it, through docker/assemble-rootfs's copy of /usr/local.
 * `read` reads a context file (assemble-rootfs must copy /usr/local for that step).
 */
export function copiedFrom(facts: DockerfileFacts, imagePath: string, read: (rel: string) => string): string {
  const resolve = (stageIndex: number, path: string, before: number, depth: number): string | undefined => {
    if (depth > 10) return undefined;
    const { origins } = facts.stages[stageIndex];
    for (let i = Math.min(before, origins.length) - 1; i >= 0; i--) {
      const o = origins[i];
      if (o.kind === 'context') {
        for (const src of o.sources) if (target(src, o.sources, o.dest) === path) return src;
      } else if (o.kind === 'stage') {
        const dir = o.dest.endsWith('/') ? o.dest : o.dest + '/';
        if (!path.startsWith(dir)) continue;
        const from = facts.stages.findIndex((s, j) => j < stageIndex && (s.name === o.from || String(j) === o.from));
        if (from < 0) throw new Error(`Dockerfile: COPY --from=${o.from}: no such earlier stage`);
        const srcDir = o.src.endsWith('/') ? o.src : o.src + '/';
        const found = resolve(from, srcDir + path.slice(dir.length), Infinity, depth + 1);
        if (found !== undefined) return found;
      } else {
        const prefix = `${o.root}/usr/local/`;
        if (!path.startsWith(prefix)) continue;
        if (!read(o.script).includes('cp -a /usr/local "$root/usr/"')) continue;
        const found = resolve(stageIndex, path.slice(o.root.length), i, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  const src = resolve(facts.stages.length - 1, imagePath, Infinity, 0);
  if (src === undefined) throw new Error(`Dockerfile: no COPY or install puts ${imagePath} in the image`);
  return src;
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
