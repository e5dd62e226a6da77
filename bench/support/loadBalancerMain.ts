import { startLoadBalancer } from '../../test/support/loadBalancer';

/**
 * The test load balancer (test/support/loadBalancer.ts) as a process of its own, so the bench's
 * event loop is not on the request path: backends from BENCH_BACKENDS (comma-separated base URLs),
 * prints `load balancer listening <url>`, stops on SIGTERM.
 */
async function main(): Promise<void> {
  const backends = (process.env.BENCH_BACKENDS ?? '').split(',').filter(Boolean);
  const balancer = await startLoadBalancer(backends);
  process.stdout.write(`load balancer listening ${balancer.url}\n`);
  process.once('SIGTERM', () => void balancer.stop().then(() => process.exit(0)));
}

void main();
