import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

/**
 * `npm run temporal -- …` runs the provisioned Temporal CLI against the local stack's address
 * (127.0.0.1:$TEMPORAL_PORT when TEMPORAL_ADDRESS is unset), here the test stack's dev server.
 */
describe('npm run temporal', () => {
  it('talks to the Temporal on $TEMPORAL_PORT without TEMPORAL_ADDRESS and passes the exit code on', async () => {
    const port = process.env.TEMPORAL_ADDRESS!.split(':').pop()!;
    const described = spawnEntry('platform/local/temporalCommand.ts', cleanEnv({ TEMPORAL_PORT: port }), [
      'operator',
      'namespace',
      'describe',
      '--output',
      'json',
    ]);
    expect(await exitOf(described)).toEqual({ code: 0, signal: null });
    expect(described.output()).toContain('"name": "default"');

    const unknown = spawnEntry('platform/local/temporalCommand.ts', cleanEnv({ TEMPORAL_PORT: port }), [
      'workflow',
      'describe',
      '--workflow-id',
      'no/such/workflow',
    ]);
    expect((await exitOf(unknown)).code).not.toBe(0);
  });
});
