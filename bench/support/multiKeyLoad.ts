import autocannon from 'autocannon';

/**
 * Load driver for multi-tenant runs: like the autocannon CLI, but each connection sends its own
 * header value (connection i uses values[i % n]), so N tenants share the load. Reads its options
 * from BENCH_LOAD (JSON), prints autocannon's result as one JSON line. Runs in its own process.
 */
interface Options {
  url: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds?: number;
  header: { name: string; values: string[] };
}

const options = JSON.parse(process.env.BENCH_LOAD ?? '{}') as Options;
let next = 0;

async function main(): Promise<void> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.warmupSeconds ? { warmup: { connections: options.connections, duration: options.warmupSeconds } } : {}),
    setupClient: (client) => {
      client.setHeaders({ [options.header.name]: options.header.values[next % options.header.values.length]! });
      next += 1;
    },
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
