import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isExecutable, run, versionOf, which } from './exec';
import { projectRoot, toolsDir } from './paths';

/** The stripe-mock version the tests check the hub's Stripe requests against (a Go module version of github.com/stripe/stripe-mock). */
export const STRIPE_MOCK_VERSION = '0.203.0';

const MODULE = 'github.com/stripe/stripe-mock';

/**
 * Finds or builds Stripe's official stripe-mock (a stateless server that validates every
 * request's parameters against Stripe's OpenAPI spec) into `.tools/stripe-mock-<version>/`,
 * idempotently: `go install` of the pinned module version (the Go module proxy checks it against
 * the checksum database), version stamped into the binary so a rebuild is never needed to tell.
 * Needs Go on PATH the first time (a cold build takes about half a minute).
 */
export async function ensureStripeMock(log: (line: string) => void): Promise<{ path: string }> {
  const installDir = path.join(toolsDir, `stripe-mock-${STRIPE_MOCK_VERSION}`);
  const binary = path.join(installDir, 'stripe-mock');
  if (isPinned(binary)) {
    log(`stripe-mock: already installed at ${path.relative(projectRoot, binary)} (${STRIPE_MOCK_VERSION})`);
    return { path: binary };
  }
  const go = which('go');
  if (!go) throw new Error(`stripe-mock ${STRIPE_MOCK_VERSION} is built with Go (go install ${MODULE}): put go on PATH`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-stripe-mock-'));
  try {
    const started = Date.now();
    log(`stripe-mock: go install ${MODULE}@v${STRIPE_MOCK_VERSION}`);
    await run(go, ['install', `-ldflags=-X main.version=${STRIPE_MOCK_VERSION}`, `${MODULE}@v${STRIPE_MOCK_VERSION}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=mod' },
      timeoutMs: 20 * 60_000,
    });
    fs.mkdirSync(installDir, { recursive: true });
    // Moved into place atomically so a concurrent provisioner never runs half a file.
    const temporary = `${binary}.${process.pid}.tmp`;
    fs.copyFileSync(path.join(staging, 'stripe-mock'), temporary);
    fs.chmodSync(temporary, 0o755);
    fs.renameSync(temporary, binary);
    if (!isPinned(binary)) throw new Error(`the stripe-mock built into ${installDir} does not report version ${STRIPE_MOCK_VERSION}`);
    log(`stripe-mock: built ${STRIPE_MOCK_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s into ${path.relative(projectRoot, installDir)}`);
    return { path: binary };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function isPinned(binary: string): boolean {
  return isExecutable(binary) && versionOf(binary, ['-version']) === `stripe-mock ${STRIPE_MOCK_VERSION}`;
}
