import { Pool } from 'undici';

/**
 * Open-loop load driver (constant arrival rate), run in its own process by bench/harness.ts's
 * `runOpenLoopLoad`. Request i is due at start + i / rate whatever happened to the earlier ones,
 * and its latency is measured from when it was due, not from when a connection was free to send
 * it: a server that falls behind shows the wait its users would see (no coordinated omission).
 * autocannon's `overallRate` is not this: each connection sends its per-second quota back to back
 * at the top of every second, then idles, so its figures are those of a closed loop in bursts.
 *
 * Options come as JSON in BENCH_LOAD; the result is printed as one JSON line with every latency
 * (ms, in order of completion) so rounds can be pooled.
 */
interface Options {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  warmupSeconds?: number;
  /** Connections the client may open (requests beyond them queue in the client, and that wait counts). */
  connections: number;
  /** One value per request, round-robin (e.g. an API key per tenant). */
  header?: { name: string; values: string[] };
}

const options = JSON.parse(process.env.BENCH_LOAD ?? '{}') as Options;

interface Phase {
  latencies: number[];
  non2xx: number;
  errors: number;
  sent: number;
  seconds: number;
}

async function runPhase(pool: Pool, url: URL, seconds: number, counter: { next: number }): Promise<Phase> {
  const total = Math.round(options.ratePerSecond * seconds);
  const intervalMs = 1_000 / options.ratePerSecond;
  const phase: Phase = { latencies: [], non2xx: 0, errors: 0, sent: 0, seconds };
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  const send = (dueAt: number) => {
    const index = counter.next++;
    const headers = options.header ? { [options.header.name]: options.header.values[index % options.header.values.length]! } : undefined;
    const done = pool
      .request({ method: 'GET', path: `${url.pathname}${url.search}`, headers })
      .then(async (response) => {
        await response.body.dump({ limit: Infinity });
        phase.latencies.push(performance.now() - dueAt);
        if (response.statusCode < 200 || response.statusCode >= 300) phase.non2xx += 1;
      })
      .catch(() => {
        phase.errors += 1;
      })
      .finally(() => pending.delete(done));
    pending.add(done);
  };
  // A 1 ms tick sends every request that has come due since the last one.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (phase.sent < total && start + phase.sent * intervalMs <= now) {
        send(start + phase.sent * intervalMs);
        phase.sent += 1;
      }
      if (phase.sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  return phase;
}

async function main(): Promise<void> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const counter = { next: 0 };
  try {
    if (options.warmupSeconds) await runPhase(pool, url, options.warmupSeconds, counter);
    const measured = await runPhase(pool, url, options.durationSeconds, counter);
    process.stdout.write(
      `${JSON.stringify({
        offeredPerSecond: options.ratePerSecond,
        sent: measured.sent,
        non2xx: measured.non2xx,
        errors: measured.errors,
        latencies: measured.latencies.map((value) => Math.round(value * 100) / 100),
      })}\n`,
    );
  } finally {
    await pool.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
