import { type Resource } from '@medplum/fhirtypes';
import { seededRandom } from '../http';

/** Resource types the peer generates (the connector's streams). */
export const CLINICAL_TYPES = ['Patient', 'Encounter', 'Observation', 'MedicationRequest'] as const;
export type ClinicalType = (typeof CLINICAL_TYPES)[number];

const FAMILY = ['Smith', 'Garcia', 'Nguyen', 'Müller', 'Okafor', 'Kowalski', 'Haddad', 'Ivanova'];
const GIVEN = ['Alex', 'Maria', 'Wei', 'Fatima', 'John', 'Aiko', 'Lars', 'Priya'];

/**
 * Synthetic (never real) clinical resources with stable ids (`pat-1`, `enc-1`, …). Encounters,
 * observations and medication requests refer to generated patients.
 */
export class ClinicalDataGenerator {
  private readonly random: () => number;
  private readonly counters: Record<ClinicalType, number> = { Patient: 0, Encounter: 0, Observation: 0, MedicationRequest: 0 };

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  next(type: ClinicalType, lastUpdated: string): Resource {
    const n = (this.counters[type] += 1);
    const patient = { reference: `Patient/pat-${1 + Math.floor(this.random() * Math.max(1, this.counters.Patient))}` };
    const meta = { lastUpdated, versionId: '1' };
    const pick = <T>(list: T[]) => list[Math.floor(this.random() * list.length)]!;
    switch (type) {
      case 'Patient':
        return {
          resourceType: 'Patient',
          id: `pat-${n}`,
          meta,
          identifier: [{ system: 'urn:oid:2.16.840.1.113883.4.1', value: `MRN-${String(n).padStart(8, '0')}` }],
          name: [{ family: pick(FAMILY), given: [pick(GIVEN)] }],
          gender: pick(['female', 'male', 'other', 'unknown'] as const),
          birthDate: `19${String(30 + Math.floor(this.random() * 70))}-0${1 + Math.floor(this.random() * 9)}-1${Math.floor(this.random() * 9)}`,
        };
      case 'Encounter':
        return {
          resourceType: 'Encounter',
          id: `enc-${n}`,
          meta,
          status: 'finished',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: pick(['AMB', 'IMP', 'EMER']) },
          subject: patient,
        };
      case 'Observation':
        return {
          resourceType: 'Observation',
          id: `obs-${n}`,
          meta,
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
          subject: patient,
          valueQuantity: { value: 50 + Math.floor(this.random() * 70), unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
        };
      default:
        return {
          resourceType: 'MedicationRequest',
          id: `med-${n}`,
          meta,
          status: 'active',
          intent: 'order',
          medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: pick(['197361', '310965', '314076']) }] },
          subject: patient,
        };
    }
  }
}
