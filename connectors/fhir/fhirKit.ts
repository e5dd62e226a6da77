import type * as FhirKit from 'fhir-kit-client' with { 'resolution-mode': 'import' };

export type FhirKitModule = typeof FhirKit;
export type FhirClient = InstanceType<FhirKitModule['Client']>;
export type FhirClientConfig = ConstructorParameters<FhirKitModule['Client']>[0];

let loading: Promise<FhirKitModule> | undefined;

/**
 * fhir-kit-client 2 is ESM-only; the hub runs as CommonJS. A dynamic import loads it under tsx and
 * Node (native ESM); under jest (CommonJS mode), jest.config.js maps the package to its dist entry
 * and compiles it with swc. Loaded once per process.
 */
export function loadFhirKit(): Promise<FhirKitModule> {
  loading ??= import('fhir-kit-client');
  return loading;
}
