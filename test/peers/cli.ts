import { peers } from './index';

/**
 * `npm run peer -- <name> [--port 0] [--seed N] [--records N]`: runs one peer on 127.0.0.1 until
 * Ctrl-C and prints its URL. Faults: `curl -X POST <url>/__faults -d '{"fault":{"kind":"status","status":429,"retryAfterSeconds":2},"times":3}'`.
 */
async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || !peers[name]) {
    console.error(`usage: npm run peer -- <${Object.keys(peers).join('|') || 'name'}> [--port 0] [--option value]`);
    process.exit(2);
  }
  const options: Record<string, unknown> = { port: 0 };
  for (let index = 0; index < rest.length; index += 2) {
    const key = rest[index]!.replace(/^--/, '');
    const value = rest[index + 1];
    options[key] = value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
  }
  const peer = await peers[name]!(options as { port: number });
  console.log(`${name} peer listening on ${peer.url}`);
  for (const [key, value] of Object.entries(peer.info ?? {})) console.log(`  ${key}: ${value}`);
  const stop = () => void peer.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
