/**
 * The Temporal contracts of the hub: workflow type names, signals and queries, the inputs and
 * results they carry, failure types and search attributes. Workflows, activities, the API and the
 * worker all name Temporal things through this module. It depends on nothing in the repository
 * (only @temporalio/workflow's defineSignal/defineQuery and @temporalio/common's search attribute
 * keys, both safe outside the workflow sandbox), so every layer may import it (enforced by eslint).
 */
export * from './billing';
export * from './failureTypes';
export * from './jobControl';
export * from './searchAttributes';
export * from './webhooks';
export * from './workflowInputs';
export * from './workflowTypes';
