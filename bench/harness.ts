import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { procStatFields } from '../platform/local/procStat';

export const projectRoot = path.resolve(__dirname, '..');

/** One measured configuration (a baseline or the thing under test). */
export interface Measurement {
  label: string;
  metrics: Record<string, number>;
}

/** What a benchmark reports: its measurements and the ratios that matter, with targets if any. */
export interface BenchReport {
  measurements: Measurement[];
  ratios: Array<{ name: string; value: number; target?: string; met?: boolean }>;
  notes?: string[];
}

export interface BenchContext {
  /** Variables of the running bench stack (DATABASE_URL, TEMPORAL_ADDRESS, HUB_ADMIN_TOKEN, …). */
  env: NodeJS.ProcessEnv;
  log(line: string): void;
}

/** A named benchmark in bench/benchmarks/. Each compares against a baseline measured in the same run. */
export interface Benchmark {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchReport>;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Requests answered in the measured period. */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU time (user + system, all threads) the server process spent per answered request; only with `serverPid` on Linux. */
  serverCpuMicrosPerRequest?: number;
}

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) process `pid` has used so far, in µs; undefined without /proc (not Linux) or once it has exited. */
export function processCpuMicros(pid: number): number | undefined {
  const fields = procStatFields(pid);
  if (!fields) return undefined;
  const [userTicks, systemTicks] = [Number(fields[11]), Number(fields[12])];
  return ((userTicks + systemTicks) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Drives HTTP load with autocannon in its own process, so the load generator never shares an
 * event loop with the server it measures.
 */
export async function runLoad(options: {
  url: string;
  headers?: Record<string, string>;
  /** One value per connection (round-robin), e.g. an API key per tenant; runs bench/support/multiKeyLoad.ts. */
  headerPerConnection?: { name: string; values: string[] };
  connections: number;
  durationSeconds: number;
  warmupSeconds?: number;
  /** The server's process id: its CPU time over the measured period is reported per request. */
  serverPid?: number;
}): Promise<LoadResult> {
  if (options.serverPid !== undefined) {
    // The warm-up runs as a load of its own, so the CPU sample covers the measured period only.
    if (options.warmupSeconds) await runLoad({ ...options, serverPid: undefined, durationSeconds: options.warmupSeconds, warmupSeconds: undefined });
    const cpuBefore = processCpuMicros(options.serverPid);
    const result = await runLoad({ ...options, serverPid: undefined, warmupSeconds: undefined });
    const cpuAfter = processCpuMicros(options.serverPid);
    if (cpuBefore === undefined || cpuAfter === undefined || result.requests === 0) return result;
    return { ...result, serverCpuMicrosPerRequest: (cpuAfter - cpuBefore) / result.requests };
  }
  if (options.headerPerConnection) return runMultiKeyLoad(options as Parameters<typeof runMultiKeyLoad>[0]);
  const args = ['-c', String(options.connections), '-d', String(options.durationSeconds), '--json'];
  if (options.warmupSeconds) args.push('--warmup', '[', '-c', String(options.connections), '-d', String(options.warmupSeconds), ']');
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}=${value}`);
  args.push(options.url);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(path.join(projectRoot, 'node_modules', '.bin', 'autocannon'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`autocannon exited ${code}: ${stderr.slice(-500)}`))));
  });
  return loadResultOf(output);
}

/** The figures of autocannon's JSON output: with a warm-up it prints the warm-up's result first, so the measurement is the last line. */
function loadResultOf(output: string): LoadResult {
  const lastLine =
    output
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .at(-1) ?? '{}';
  const result = JSON.parse(lastLine) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

type LoadOptions = Parameters<typeof runLoad>[0];

/**
 * Measures several sides in alternating rounds (a, b, c, a, b, c, …) and answers each side's median
 * round: on a shared 2-core machine throughput drifts by ±10% over a minute, and measuring one side
 * after the other puts that drift into their ratio. Each side is warmed up once, before its first round.
 */
export async function runInterleavedLoads<Side extends string>(
  sides: Record<Side, LoadOptions>,
  rounds: number,
): Promise<{ medians: Record<Side, LoadResult>; rounds: Array<Record<Side, LoadResult>> }> {
  const names = Object.keys(sides) as Side[];
  const measured: Array<Record<Side, LoadResult>> = [];
  for (let round = 0; round < rounds; round += 1) {
    const results = {} as Record<Side, LoadResult>;
    for (const name of names) results[name] = await runLoad(round === 0 ? sides[name] : { ...sides[name], warmupSeconds: undefined });
    measured.push(results);
  }
  const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const medians = {} as Record<Side, LoadResult>;
  for (const name of names) {
    const results = measured.map((round) => round[name]);
    const cpu = results.map((result) => result.serverCpuMicrosPerRequest).filter((value) => value !== undefined);
    medians[name] = {
      requestsPerSecond: middle(results.map((result) => result.requestsPerSecond)),
      requests: middle(results.map((result) => result.requests)),
      p50Ms: middle(results.map((result) => result.p50Ms)),
      p99Ms: middle(results.map((result) => result.p99Ms)),
      non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
      errors: results.reduce((sum, result) => sum + result.errors, 0),
      ...(cpu.length === results.length ? { serverCpuMicrosPerRequest: middle(cpu) } : {}),
    };
  }
  return { medians, rounds: measured };
}

async function runMultiKeyLoad(options: {
  url: string;
  headerPerConnection: { name: string; values: string[] };
  connections: number;
  durationSeconds: number;
  warmupSeconds?: number;
}): Promise<LoadResult> {
  const load = {
    url: options.url,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    header: options.headerPerConnection,
  };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'bench', 'support', 'multiKeyLoad.ts')], {
      cwd: projectRoot,
      env: { ...process.env, BENCH_LOAD: JSON.stringify(load) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`load driver exited ${code}: ${stderr.slice(-500)}`))));
  });
  return loadResultOf(output);
}

/**
 * Spawns a project TypeScript entry point (node --import tsx) and waits until it is ready: `ready`
 * is a line to wait for in its output, or a URL polled until it answers 2xx (for processes whose
 * startup line their log level hides).
 */
export async function spawnEntry(
  entry: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp | { url: string },
  timeoutMs = 120_000,
): Promise<ChildProcess & { output: () => string }> {
  // BENCH_CPU_PROF=<dir>: V8 CPU profiles of the measured processes (open them in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(projectRoot, entry)], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready in ${timeoutMs} ms: ${output.slice(-800)}`)), timeoutMs);
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready instanceof RegExp && ready.test(output)) settle();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => settle(new Error(`${entry} exited ${code}: ${output.slice(-800)}`)));
    if (!(ready instanceof RegExp)) void pollUntilAnswering(ready.url, () => settled).then(() => settle());
  });
  child.removeAllListeners('exit');
  return Object.assign(child, { output: () => output });
}

async function pollUntilAnswering(url: string, stop: () => boolean): Promise<void> {
  while (!stop()) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops a child with SIGTERM (SIGKILL after 15 s). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export function machineDescription(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** What an open-loop run measured: every latency (ms, from when each request was due). */
export interface OpenLoopResult {
  offeredPerSecond: number;
  sent: number;
  non2xx: number;
  errors: number;
  latencies: number[];
}

/**
 * Offers a constant arrival rate (bench/support/openLoopLoad.ts, in its own process): request i is
 * due at i / rate, and its latency counts from then, so a server that falls behind is charged for
 * the queue its users would wait in.
 */
export async function runOpenLoopLoad(options: {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  warmupSeconds?: number;
  connections: number;
  header?: { name: string; values: string[] };
}): Promise<OpenLoopResult> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'bench', 'support', 'openLoopLoad.ts')], {
      cwd: projectRoot,
      env: { ...process.env, BENCH_LOAD: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`open-loop driver exited ${code}: ${stderr.slice(-500)}`))));
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as OpenLoopResult;
}

/** The `fraction` quantile (0.99 for p99) of latencies, nearest rank. */
export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}
