import { type FhirConfig } from './schemas';

/**
 * What differs between FHIR vendors for a backend integration. Both Epic and Oracle Health (Cerner)
 * publish their token endpoint in `.well-known/smart-configuration` (SMART Backend Services, JWT
 * client assertion signed RS384) and run Bulk Data exports per Group, not system-wide.
 */
export interface VendorPreset {
  name: string;
  /** Level at which `$export` is kicked off. */
  exportLevel: 'system' | 'group';
}

const PRESETS: Record<NonNullable<FhirConfig['vendor']>, VendorPreset> = {
  generic: { name: 'Generic FHIR R4', exportLevel: 'system' },
  epic: { name: 'Epic', exportLevel: 'group' },
  cerner: { name: 'Oracle Health (Cerner)', exportLevel: 'group' },
};

export function vendorPreset(config: FhirConfig): VendorPreset {
  return PRESETS[config.vendor ?? 'generic'];
}

/** SMART v1 system scopes for the streams, e.g. `system/Patient.read system/Observation.read`. */
export function defaultScope(streams: readonly string[]): string {
  return streams.map((stream) => `system/${stream}.read`).join(' ');
}
