import * as workflows from '../../workflows';
import { pauseSignal, progressQuery, resumeSignal, WORKFLOW_TYPES } from '../../workflows/contracts';

describe('Temporal contracts', () => {
  it('names every workflow the worker registers, by its exported name', () => {
    expect(Object.keys(WORKFLOW_TYPES).sort()).toEqual(Object.keys(workflows).sort());
    for (const [key, name] of Object.entries(WORKFLOW_TYPES)) expect([key, (workflows as Record<string, { name: string }>)[key]!.name]).toEqual([key, name]);
  });

  it('keeps the signal and query names running jobs answer to', () => {
    expect([pauseSignal.name, resumeSignal.name, progressQuery.name]).toEqual(['pause', 'resume', 'progress']);
  });
});
