import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { temporal } from '@temporalio/proto';
import { loadConfig, type HubConfig } from '../config';
import { connectTemporalClient } from '../temporal/connection';
import { runMain } from '../runMain';
import { projectRoot } from './paths';
import { freePort } from './ports';
import { startLocalStack } from './stack';
import { startLocalMail } from './localMail';
import { ensureConsoleBuilt } from '../console/consoleBuild';

/**
 * `npm start`: brings up the whole hub in one terminal. Whatever is not configured is started
 * locally (embedded Postgres, Temporal dev server with its Web UI), the schema is migrated, then
 * the worker and the API run as child processes. Ctrl-C (or SIGTERM/SIGHUP to this process) stops
 * all of it, children first. It runs on when the shell that launched it exits (nohup, setsid, a
 * closed terminal tab that sent no SIGHUP): only a signal to this process stops it. The worker,
 * the API, Postgres and Temporal run in process groups of their own, so a terminal's Ctrl-C reaches
 * them only through this process, in order.
 */
runMain('start', async () => {
  const config = loadConfig();
  const log = (line: string) => process.stdout.write(`[hub] ${line}\n`);
  // Only when its sources changed since the last build (a second or two with Vite).
  await ensureConsoleBuilt(log);
  const stack = await startLocalStack({ config, profile: 'persistent', log });
  const mail = config.SMTP_URL ? undefined : await startLocalMail(stack.dataDirectory, log);
  const development = (process.env.NODE_ENV ?? 'development') !== 'production';
  const env = {
    ...process.env,
    ...stack.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    // Local development talks to local peers and test systems; configured deployments decide for themselves.
    HUB_ALLOW_PRIVATE_NETWORK: process.env.HUB_ALLOW_PRIVATE_NETWORK ?? 'true',
    HUB_EXIT_WITH_PARENT: 'true',
    // This machine's own scrapes and readiness checks see everything; elsewhere they need the admin token.
    API_OPERATOR_NETWORKS: process.env.API_OPERATOR_NETWORKS ?? '127.0.0.1/32,::1/128',
    // The worker serves its metrics locally; the API's /metrics includes them.
    WORKER_METRICS_PORT: String(config.WORKER_METRICS_PORT ?? (await freePort())),
    // Invites and password resets go to the local mail catcher; its messages are files under the data directory.
    ...(mail ? { SMTP_URL: mail.url } : {}),
    // The local console is served over plain http on localhost, where browsers drop Secure cookies.
    ...(development && !process.env.SESSION_COOKIE_SECURE ? { SESSION_COOKIE_SECURE: 'false' } : {}),
  };
  const children: ChildProcess[] = [];
  let stopping = false;

  const stopEverything = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping worker and API');
    await Promise.all(children.map((child) => stopChild(child)));
    await mail?.stop();
    log('stopping Temporal and Postgres');
    await stack.stop();
    log('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopEverything(0));
  process.on('SIGTERM', () => void stopEverything(0));
  process.on('SIGHUP', () => void stopEverything(0));

  for (const [name, entry] of [
    ['worker', 'worker/workerMain.ts'],
    ['api', 'api/main.ts'],
  ] as const) {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, entry)], {
      cwd: projectRoot,
      env,
      // The IPC channel closes when this process dies, however it dies: the children stop then.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Out of the terminal's process group: a Ctrl-C reaches them once, as our SIGTERM. (Temporal's
      // worker handles only the first shutdown signal; a second one would kill it mid-drain.)
      detached: true,
    });
    prefixLines(child, name);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log(`${name} exited (${signal ?? `code ${code}`}); shutting down`);
      void stopEverything(1);
    });
    children.push(child);
  }

  try {
    const apiUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
    await waitForReady(`http://127.0.0.1:${config.PORT}/readyz`, () => stopping);
    await waitForWorker({ ...config, TEMPORAL_ADDRESS: stack.temporalAddress }, () => stopping);
    const adminToken = config.HUB_ADMIN_TOKEN ?? stack.env.HUB_ADMIN_TOKEN;
    const banner = [
      '',
      'Integration Hub is up.',
      `  Console      ${apiUrl}/console`,
      `  API          ${apiUrl}   (docs: ${apiUrl}/docs, readiness: ${apiUrl}/readyz)`,
      `  Metrics      ${apiUrl}/metrics (API and worker, Temporal SDK series included)`,
      `  Temporal UI  ${stack.temporalUiUrl ?? config.TEMPORAL_UI_URL}`,
      `  Temporal     ${stack.temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`,
      `  Mail         ${mail ? `caught locally: invites and password resets are saved in ${path.relative(projectRoot, path.join(stack.dataDirectory, 'mail'))}/` : `sent through SMTP_URL`}`,
      `  Admin token  ${adminToken}${config.HUB_ADMIN_TOKEN ? ' (from HUB_ADMIN_TOKEN)' : ` (generated, kept in ${path.relative(projectRoot, stack.dataDirectory)}/local-secrets.json)`}`,
      '',
      'First run, in a browser:',
      `  1. Open ${apiUrl}/console/operator and paste the admin token above (it is exchanged for a session, not kept).`,
      '  2. Create tenant: e.g. name Acme, slug acme, plan enterprise (white-label), any admin e-mail. Its admin API key is shown once.',
      '  3. Under the key, "Invite yourself": your name and an e-mail such as you@acme.test (not the admin e-mail of step 2).',
      `     The invite is ${mail ? `saved as an .eml file in ${path.relative(projectRoot, path.join(stack.dataDirectory, 'mail'))}/ and its link printed here ("[hub] mail: its link: …")` : 'sent through SMTP_URL'}.`,
      '  4. Open that link (…/console/invite#token=…) and set a password of 12 characters or more.',
      `  5. Sign in at ${apiUrl}/console/sign-in?tenant=acme with that e-mail and password.`,
      '',
      'Or with curl:',
      `  curl -s -X POST ${apiUrl}/v1/admin/tenants -H "Authorization: Bearer ${adminToken}" \\`,
      `    -H 'Content-Type: application/json' -d '{"name":"Acme","slug":"acme","plan":"starter","adminEmail":"admin@acme.test"}'`,
      '',
      'Ctrl-C stops everything.',
      '',
    ];
    process.stdout.write(`${banner.join('\n')}\n`);
  } catch (error) {
    log(`start failed: ${(error as Error).message}`);
    await stopEverything(1);
  }
});

function prefixLines(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 35_000);
    child.once('exit', () => {
      clearTimeout(killer);
      // 'close' follows once its output is read to the end: its last lines ("worker stopped") are printed.
      const drained = setTimeout(resolve, 2_000);
      child.once('close', () => {
        clearTimeout(drained);
        resolve();
      });
    });
    child.kill('SIGTERM');
  });
}

/** The worker bundles workflows before it polls; "up" means it is polling the task queue. */
async function waitForWorker(config: HubConfig, cancelled: () => boolean): Promise<void> {
  // Only asks for the task queue's pollers: no payloads cross this client.
  const { client, connection } = await connectTemporalClient(config, { encryptPayloads: false });
  try {
    const deadline = Date.now() + 180_000;
    while (!cancelled() && Date.now() < deadline) {
      const description = await client.workflowService.describeTaskQueue({
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((description.pollers ?? []).length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!cancelled()) throw new Error(`no worker polled task queue ${config.TEMPORAL_TASK_QUEUE} within 3 minutes`);
  } finally {
    await connection.close();
  }
}

async function waitForReady(url: string, cancelled: () => boolean): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!cancelled() && Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!cancelled()) throw new Error(`the API did not become ready at ${url} within 3 minutes`);
}
