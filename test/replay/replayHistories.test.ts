import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../platform/logger';
import { hubDataConverter } from '../../platform/temporal/payloadEncryption';
import { createMasterKeyring } from '../../platform/vault/masterKeys';
import { installTemporalRuntime } from '../../worker/worker';

installTemporalRuntime(createLogger({ name: 'replay', level: 'silent' }), 'ERROR');

/**
 * Determinism guard: replays every recorded history in test/replay/histories against today's
 * workflow code. A change that would break running workflows fails here.
 *
 * Record a fixture from a run (npm start, or any server) with the Temporal CLI, which decrypts the
 * payloads through the API's codec server (npm run temporal sets the endpoint and admin token):
 *   npm run --silent temporal -- workflow show -w <workflowId> --output json > test/replay/histories/<name>.json
 */
const historiesDir = path.join(__dirname, 'histories');
const fixtures = fs.readdirSync(historiesDir).filter((file) => file.endsWith('.json'));

function workflowTypeOf(history: ReturnType<typeof historyFromJSON>): string {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';
}

function exportedWorkflows(): string[] {
  const index = fs.readFileSync(path.join(__dirname, '..', '..', 'workflows', 'index.ts'), 'utf8');
  return [...index.matchAll(/export \{([^}]+)\} from/g)].flatMap((match) =>
    match[1]!
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
}

describe('workflow replay', () => {
  const histories = fixtures.map((file) => ({
    file,
    history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(historiesDir, file), 'utf8'))),
  }));

  it('has a recorded history for every workflow the worker registers', () => {
    const recorded = new Set(histories.map(({ history }) => workflowTypeOf(history)));
    expect(exportedWorkflows().filter((workflow) => !recorded.has(workflow))).toEqual([]);
  });

  it.each(fixtures)('replays %s without nondeterminism', async (file) => {
    const { history } = histories.find((entry) => entry.file === file)!;
    const bundlePath = process.env.HUB_TEST_WORKFLOW_BUNDLE;
    await Worker.runReplayHistory(
      {
        ...(bundlePath ? { workflowBundle: { code: fs.readFileSync(bundlePath, 'utf8') } } : { workflowsPath: require.resolve('../../workflows') }),
        // The worker's converter: these histories predate payload encryption, and must still replay.
        dataConverter: hubDataConverter(createMasterKeyring(randomBytes(32).toString('base64'))),
      },
      history,
      `replay-${file}`,
    );
  });
});
