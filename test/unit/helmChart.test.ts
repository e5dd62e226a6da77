import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { knownVariables, loadConfig } from '../../platform/config';
import { run } from '../../platform/local/exec';
import { ensureHelm, HELM_VERSION } from '../../platform/local/helm';
import { ensureKubeconform } from '../../platform/local/kubeconform';
import { ensureKubernetesSchemas, KUBERNETES_VERSIONS, kubeconformSchemaLocations } from '../../platform/local/kubernetesSchemas';
import { assertProductionSecrets } from '../../platform/productionSecrets';
import { polledWorkKinds, taskQueueOf, WORK_KINDS } from '../../platform/temporal/taskQueues';

/*
 * The Helm chart of deploy/helm/integration-hub: rendered with the pinned Helm, checked by kubeconform
 * (strict: unknown fields are errors, a kind without a schema is an error) against the Kubernetes
 * schemas of the oldest and newest versions the chart supports and KEDA's CRDs, then read object by
 * object for what the chart promises. The tools are provisioned by npm test's pretest; the
 * beforeAll below builds whatever is missing (idempotent, quick when present).
 */

const root = path.resolve(__dirname, '..', '..');
const chartDir = path.join(root, 'deploy', 'helm', 'integration-hub');
const productionValues = path.join(chartDir, 'ci', 'production-values.yaml');
const newestKubernetes = KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]!;
const RELEASE = 'hub';
const NAMESPACE = 'hub-system';

/** A rendered Kubernetes object, loosely typed: the assertions below read the fields they check. */
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
};

interface Rendered {
  text: string;
  objects: K8sObject[];
}

let helm: string;
let kubeconform: string;
let schemasDir: string;
let workDir: string;

beforeAll(async () => {
  const quiet = () => {};
  helm = (await ensureHelm(quiet)).path;
  kubeconform = (await ensureKubeconform(quiet)).path;
  schemasDir = (await ensureKubernetesSchemas(quiet)).dir;
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-helm-chart-'));
}, 30 * 60_000);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

async function helmTemplate(options: { kubeVersion?: string; valuesFiles?: string[]; set?: Record<string, string> } = {}): Promise<Rendered> {
  const args = ['template', RELEASE, chartDir, '--namespace', NAMESPACE, '--kube-version', options.kubeVersion ?? newestKubernetes];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set-string', `${key}=${value}`);
  const text = await run(helm, args, { timeoutMs: 60_000 });
  const objects = parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
  return { text, objects };
}

interface KubeconformReport {
  exitCode: number | null;
  resources: { kind: string; name: string; status: string; msg: string }[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

function validate(manifests: string, kubernetesVersion: string): KubeconformReport {
  const file = path.join(workDir, `manifests-${randomBytes(4).toString('hex')}.yaml`);
  fs.writeFileSync(file, manifests);
  const args = ['-strict', '-summary', '-verbose', '-output', 'json', '-kubernetes-version', kubernetesVersion];
  for (const location of kubeconformSchemaLocations(schemasDir)) args.push('-schema-location', location);
  const result = spawnSync(kubeconform, [...args, file], { encoding: 'utf8', timeout: 60_000 });
  const report = JSON.parse(result.stdout) as Omit<KubeconformReport, 'exitCode'>;
  return { exitCode: result.status, ...report };
}

const toYaml = (objects: K8sObject[]) => objects.map((object) => JSON.stringify(object)).join('\n---\n');

function only(objects: K8sObject[], kind: string, nameSuffix?: string): K8sObject {
  const matching = objects.filter((object) => object.kind === kind && (nameSuffix === undefined || object.metadata.name.endsWith(nameSuffix)));
  if (matching.length !== 1) throw new Error(`expected one ${kind}${nameSuffix ? ` *${nameSuffix}` : ''}, found ${matching.length}`);
  return matching[0]!;
}

const podTemplates = (objects: K8sObject[]) =>
  objects.filter((object) => object.kind === 'Deployment' || object.kind === 'Job').map((object) => ({ owner: object, pod: object.spec.template }));

/** The labels a NetworkPolicy peer or PDB selector asks for are all on the pod. */
const selects = (matchLabels: Record<string, string>, podLabels: Record<string, string>) =>
  Object.entries(matchLabels).every(([key, value]) => podLabels[key] === value);

/** Random credentials that pass the production checks, in the chart's secrets.values shape. */
function generatedSecrets(): Record<string, string> {
  const appPassword = randomBytes(18).toString('base64url');
  return {
    HUB_MASTER_KEY: randomBytes(32).toString('base64'),
    HUB_ADMIN_TOKEN: randomBytes(36).toString('base64url'),
    DATABASE_APP_URL: `postgres://hub_app:${appPassword}@postgres.db.svc:5432/hub`,
    DATABASE_URL: `postgres://hub_owner:${randomBytes(18).toString('base64url')}@postgres.db.svc:5432/hub`,
    DATABASE_APP_PASSWORD: appPassword,
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(16).toString('hex')}`,
  };
}

/** A values file that has the chart create its Secrets from these credentials (a file: base64 and URLs need no --set escaping). */
function secretsValuesFile(secrets: Record<string, string>): string {
  const file = path.join(workDir, `secrets-${randomBytes(4).toString('hex')}.yaml`);
  fs.writeFileSync(file, JSON.stringify({ secrets: { create: true, values: secrets } }));
  return file;
}

/** A container's environment as the kubelet would give it: the ConfigMap, literal values, then Secret keys. */
function containerEnvironment(container: K8sObject, objects: K8sObject[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const configMap = only(
      objects.filter((object) => object.metadata.name === source.configMapRef.name),
      'ConfigMap',
    );
    Object.assign(environment, configMap.data);
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) {
      environment[entry.name] = entry.value;
      continue;
    }
    const reference = entry.valueFrom.secretKeyRef;
    const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === reference.name);
    const encoded = secret?.data?.[reference.key] as string | undefined;
    if (encoded !== undefined) environment[entry.name] = Buffer.from(encoded, 'base64').toString('utf8');
    else if (!reference.optional) throw new Error(`${container.name}: ${entry.name} needs ${reference.name}/${reference.key}, which is not rendered`);
  }
  return environment;
}

/** Variables that are the runtime's, not the hub's: npm's and tsx's writable paths on the read-only root. */
const RUNTIME_VARIABLES = ['npm_config_cache', 'npm_config_update_notifier', 'HOME'];

describe('Helm chart deploy/helm/integration-hub', () => {
  it(`is built from the pinned Helm ${HELM_VERSION} and passes helm lint --strict with the default and the production values`, async () => {
    expect((await run(helm, ['version', '--short'])).trim()).toBe(`v${HELM_VERSION}`);
    for (const values of [[], ['--values', productionValues]]) {
      const output = await run(helm, ['lint', '--strict', chartDir, ...values], { timeoutMs: 60_000 });
      expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  describe.each(KUBERNETES_VERSIONS)('on Kubernetes %s', (kubernetesVersion) => {
    it.each([
      ['the default values', [] as string[]],
      ['the production values', [productionValues]],
    ])('renders %s into objects kubeconform finds valid (strict, nothing skipped)', async (_label, valuesFiles) => {
      const rendered = await helmTemplate({ kubeVersion: kubernetesVersion, valuesFiles });
      const report = validate(rendered.text, kubernetesVersion);
      expect(report.resources.filter((resource) => resource.status !== 'statusValid')).toEqual([]);
      expect(report.summary).toEqual({ valid: rendered.objects.length, invalid: 0, errors: 0, skipped: 0 });
      expect(report.exitCode).toBe(0);
    });
  });

  it('renders the Secrets the chart creates into valid objects too', async () => {
    const rendered = await helmTemplate({ valuesFiles: [productionValues, secretsValuesFile(generatedSecrets())] });
    expect(rendered.objects.filter((object) => object.kind === 'Secret')).toHaveLength(2);
    const report = validate(rendered.text, newestKubernetes);
    expect(report.summary).toEqual({ valid: rendered.objects.length, invalid: 0, errors: 0, skipped: 0 });
  });

  it('kubeconform refuses a misspelt field, a wrong type and an unknown ScaledObject setting (the check can fail)', async () => {
    const { objects } = await helmTemplate({ valuesFiles: [productionValues] });
    const broken = structuredClone(objects);
    only(broken, 'Deployment', '-api').spec.template.spec.containers[0].readinesProbe = { httpGet: { path: '/readyz', port: 'http' } };
    only(broken, 'Deployment', '-worker').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = 'yes';
    only(broken, 'ScaledObject').spec.minReplicaCountt = 2;
    const report = validate(toYaml(broken), newestKubernetes);
    expect(report.exitCode).not.toBe(0);
    const invalid = report.resources.filter((resource) => resource.status === 'statusInvalid');
    expect(invalid.map((resource) => `${resource.kind}/${resource.name}`).sort()).toEqual(
      [`Deployment/${RELEASE}-integration-hub-api`, `Deployment/${RELEASE}-integration-hub-worker`, `ScaledObject/${RELEASE}-integration-hub-worker`].sort(),
    );
    expect(invalid.find((resource) => resource.kind === 'ScaledObject')!.msg).toContain("'minReplicaCountt' not allowed");
    // The same objects before the edits pass: the failures are the edits.
    expect(validate(toYaml(objects), newestKubernetes).summary.invalid).toBe(0);
  });

  it('runs the API, the worker and migrations from the image with the npm scripts, the tag or digest from values', async () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const chart = parseAllDocuments(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8'))[0]!.toJS() as { appVersion: string };
    const cases: [Record<string, string>, string[], string][] = [
      [{}, [], `ghcr.io/example/integration-hub:${chart.appVersion}`],
      [{}, [productionValues], 'registry.internal/platform/integration-hub:1.4.2'],
      [{ 'image.digest': `sha256:${'ab'.repeat(32)}` }, [productionValues], `registry.internal/platform/integration-hub@sha256:${'ab'.repeat(32)}`],
    ];
    for (const [set, valuesFiles, image] of cases) {
      const { objects } = await helmTemplate({ valuesFiles, set });
      const commands = Object.fromEntries(
        podTemplates(objects).flatMap(({ owner, pod }) =>
          pod.spec.containers.map((container: K8sObject) => [owner.metadata.name, [container.command, container.image]]),
        ),
      );
      expect(commands).toEqual({
        [`${RELEASE}-integration-hub-api`]: [['npm', 'run', 'api'], image],
        [`${RELEASE}-integration-hub-worker`]: [['npm', 'run', 'worker'], image],
        [`${RELEASE}-integration-hub-migrate`]: [['npm', 'run', 'migrate'], image],
      });
    }
    for (const script of ['api', 'worker', 'migrate']) expect(scripts[script]).toBeDefined();
  });

  it.each([
    ['default', [] as string[]],
    ['production', [productionValues]],
  ])(
    '(%s values) runs every container as non-root on a read-only root filesystem, writable /tmp and data dir from emptyDirs, with limits',
    async (_label, valuesFiles) => {
      const { objects } = await helmTemplate({ valuesFiles });
      const templates = podTemplates(objects);
      expect(templates).toHaveLength(3);
      for (const { owner, pod } of templates) {
        const where = owner.metadata.name;
        expect([where, pod.spec.securityContext.runAsNonRoot, pod.spec.securityContext.runAsUser]).toEqual([where, true, 1000]);
        expect([where, pod.spec.automountServiceAccountToken]).toEqual([where, false]);
        const emptyDirs = new Set(pod.spec.volumes.filter((volume: K8sObject) => volume.emptyDir).map((volume: K8sObject) => volume.name));
        for (const container of pod.spec.containers) {
          const security = container.securityContext;
          expect([where, security.readOnlyRootFilesystem, security.allowPrivilegeEscalation, security.runAsNonRoot, security.capabilities.drop]).toEqual([
            where,
            true,
            false,
            true,
            ['ALL'],
          ]);
          expect(security.runAsUser).not.toBe(0);
          const mounts = Object.fromEntries(container.volumeMounts.map((mount: K8sObject) => [mount.mountPath, mount.name]));
          expect([where, emptyDirs.has(mounts['/tmp']), emptyDirs.has(mounts['/data'])]).toEqual([where, true, true]);
          expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
          expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
          // tsx and npm write only where the emptyDirs are.
          const environment = Object.fromEntries(
            (container.env ?? []).filter((entry: K8sObject) => entry.value !== undefined).map((entry: K8sObject) => [entry.name, entry.value]),
          );
          expect([environment.HOME, environment.npm_config_cache?.startsWith('/tmp/')]).toEqual(['/tmp', true]);
        }
      }
    },
  );

  it('probes the API on /readyz (readiness) and /healthz (liveness, startup) at the port it listens on', async () => {
    const { objects } = await helmTemplate();
    const container = only(objects, 'Deployment', '-api').spec.template.spec.containers[0];
    const ports = Object.fromEntries(container.ports.map((port: K8sObject) => [port.name, port.containerPort]));
    const listening = Number(container.env.find((entry: K8sObject) => entry.name === 'PORT').value);
    expect(ports.http).toBe(listening);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const service = only(objects, 'Service', '-api');
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(selects(service.spec.selector, only(objects, 'Deployment', '-api').spec.template.metadata.labels)).toBe(true);
    const worker = only(objects, 'Deployment', '-worker').spec.template.spec.containers[0];
    const metricsPort = Number(worker.env.find((entry: K8sObject) => entry.name === 'WORKER_METRICS_PORT').value);
    expect(worker.ports).toEqual([{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }]);
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
  });

  it('scales the API with an HPA on CPU, and the workers with KEDA on the Temporal task-queue backlog only when asked', async () => {
    const defaults = await helmTemplate();
    const hpa = only(defaults.objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: `${RELEASE}-integration-hub-api` });
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    // The HPA owns the count: a replicas field would fight it on every upgrade.
    expect(only(defaults.objects, 'Deployment', '-api').spec.replicas).toBeUndefined();
    expect(defaults.objects.filter((object) => object.kind === 'ScaledObject')).toEqual([]);
    expect(only(defaults.objects, 'Deployment', '-worker').spec.replicas).toBe(2);

    const production = await helmTemplate({ valuesFiles: [productionValues] });
    const config = only(production.objects, 'ConfigMap').data as Record<string, string>;
    const scaled = only(production.objects, 'ScaledObject');
    expect(scaled.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaled.spec.scaleTargetRef).toEqual({ name: `${RELEASE}-integration-hub-worker` });
    // The worker polls every task queue by default: one trigger per queue, KEDA sizes to the largest backlog.
    expect(scaled.spec.triggers.map((entry: { metadata: { taskQueue: string } }) => entry.metadata.taskQueue)).toEqual(
      WORK_KINDS.map((kind) => taskQueueOf({ TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE! }, kind)),
    );
    for (const trigger of scaled.spec.triggers) {
      expect(trigger.type).toBe('temporal');
      expect(trigger.metadata).toMatchObject({
        endpoint: config.TEMPORAL_ADDRESS,
        namespace: config.TEMPORAL_NAMESPACE,
        targetQueueSize: '25',
        enableTLS: 'true',
      });
      expect(trigger.authenticationRef).toEqual({ name: 'hub-temporal-keda' });
    }
    expect(only(production.objects, 'Deployment', '-worker').spec.replicas).toBeUndefined();
    expect(only(production.objects, 'HorizontalPodAutoscaler').spec.maxReplicas).toBe(30);
  });

  it('runs dedicated worker pools, each polling its task queues (WORKER_TASK_QUEUES) with its own budget, policy and KEDA triggers', async () => {
    const { objects } = await helmTemplate({
      valuesFiles: [productionValues, secretsValuesFile(generatedSecrets())],
      set: { 'workerPools.sync.taskQueues': 'sync', 'worker.taskQueues': 'general\\,bulk\\,webhooks\\,billing' },
    });
    const environment = (suffix: string) => containerEnvironment(only(objects, 'Deployment', suffix).spec.template.spec.containers[0], objects);
    const main = environment('-worker');
    const pool = environment('-worker-sync');
    expect([main.WORKER_TASK_QUEUES, pool.WORKER_TASK_QUEUES]).toEqual(['general,bulk,webhooks,billing', 'sync']);
    // Both start: platform/config accepts what the chart gives them.
    expect(polledWorkKinds(loadConfig(main))).toEqual(['general', 'bulk', 'webhooks', 'billing']);
    expect(polledWorkKinds(loadConfig(pool))).toEqual(['sync']);
    const base = main.TEMPORAL_TASK_QUEUE!;
    const queuesOf = (suffix: string) =>
      only(objects, 'ScaledObject', suffix).spec.triggers.map((trigger: { metadata: { taskQueue: string } }) => trigger.metadata.taskQueue);
    expect(queuesOf('-worker')).toEqual([base, `${base}-bulk`, `${base}-webhooks`, `${base}-billing`]);
    expect(queuesOf('-worker-sync')).toEqual([`${base}-sync`]);
    const deployments = [only(objects, 'Deployment', '-worker'), only(objects, 'Deployment', '-worker-sync')];
    // Selectors do not overlap: each Deployment, budget and policy selects its own pods only.
    for (const [index, deployment] of deployments.entries()) {
      const other = deployments[1 - index]!;
      expect(selects(deployment.spec.selector.matchLabels, other.spec.template.metadata.labels)).toBe(false);
      const suffix = index === 0 ? '-worker' : '-worker-sync';
      expect(selects(only(objects, 'PodDisruptionBudget', suffix).spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
      expect(selects(only(objects, 'NetworkPolicy', suffix).spec.podSelector.matchLabels, other.spec.template.metadata.labels)).toBe(false);
    }
  });

  it('runs migrations as a pre-install/pre-upgrade hook Job whose owner credentials exist only for it', async () => {
    const secrets = generatedSecrets();
    const { objects } = await helmTemplate({ valuesFiles: [secretsValuesFile(secrets)] });
    const job = only(objects, 'Job');
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation' });
    const hookSecret = only(objects, 'Secret', '-migrate');
    expect(hookSecret.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(Number(hookSecret.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations['helm.sh/hook-weight']));
    expect(hookSecret.metadata.annotations['helm.sh/hook-delete-policy']!.split(',')).toContain('hook-succeeded');
    // Pre-install hooks run before the release's ordinary objects exist: the Job may not need any.
    expect(job.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(job.spec.template.spec.containers[0].envFrom).toBeUndefined();

    const migrate = containerEnvironment(job.spec.template.spec.containers[0], objects);
    expect([migrate.DATABASE_URL, migrate.DATABASE_APP_PASSWORD]).toEqual([secrets.DATABASE_URL, secrets.DATABASE_APP_PASSWORD]);
    const runtimeSecret = only(objects, 'Secret', `${RELEASE}-integration-hub`);
    expect(Object.keys(runtimeSecret.data).sort()).toEqual(['DATABASE_APP_URL', 'HUB_ADMIN_TOKEN', 'HUB_MASTER_KEY', 'STRIPE_WEBHOOK_SECRET']);
    for (const suffix of ['-api', '-worker']) {
      const names = only(objects, 'Deployment', suffix).spec.template.spec.containers[0].env.map((entry: K8sObject) => entry.name);
      expect(names).not.toContain('DATABASE_URL');
      expect(names).not.toContain('DATABASE_APP_PASSWORD');
    }
  });

  it('gives the API and worker a configuration platform/config accepts, and production secrets they start with', async () => {
    const secrets = generatedSecrets();
    const { objects } = await helmTemplate({ valuesFiles: [productionValues, secretsValuesFile(secrets)] });
    const configMap = only(objects, 'ConfigMap');
    expect(Object.keys(configMap.data).filter((key) => !knownVariables.includes(key))).toEqual([]);
    for (const [suffix, processName] of [
      ['-api', 'api'],
      ['-worker', 'worker'],
    ] as const) {
      const environment = containerEnvironment(only(objects, 'Deployment', suffix).spec.template.spec.containers[0], objects);
      const hubVariables = Object.keys(environment).filter((name) => !RUNTIME_VARIABLES.includes(name));
      expect(hubVariables.filter((name) => !knownVariables.includes(name))).toEqual([]);
      const config = loadConfig(environment);
      expect(() => assertProductionSecrets(config, processName)).not.toThrow();
      expect([config.NODE_ENV, config.DATABASE_APP_URL, config.HUB_MASTER_KEY]).toEqual(['production', secrets.DATABASE_APP_URL, secrets.HUB_MASTER_KEY]);
      // mTLS to Temporal: the mounted client certificate.
      expect([config.TEMPORAL_TLS, config.TEMPORAL_TLS_CERT_PATH]).toEqual([true, '/etc/hub/temporal-tls/tls.crt']);
    }
    const api = containerEnvironment(only(objects, 'Deployment', '-api').spec.template.spec.containers[0], objects);
    expect(api.HUB_ADMIN_TOKEN).toBe(secrets.HUB_ADMIN_TOKEN);
    const worker = containerEnvironment(only(objects, 'Deployment', '-worker').spec.template.spec.containers[0], objects);
    expect(worker.HUB_ADMIN_TOKEN).toBeUndefined();
  });

  it('puts no secret value anywhere but in Secrets, and refuses a credential under config', async () => {
    const secrets = generatedSecrets();
    const { objects } = await helmTemplate({ valuesFiles: [productionValues, secretsValuesFile(secrets)] });
    const values = [...Object.values(secrets), ...Object.values(secrets).map((value) => Buffer.from(value).toString('base64'))];
    const leaks = objects
      .filter((object) => object.kind !== 'Secret')
      .flatMap((object) => values.filter((value) => JSON.stringify(object).includes(value)).map(() => `${object.kind}/${object.metadata.name}`));
    expect(leaks).toEqual([]);
    expect(objects.filter((object) => object.kind === 'Secret').every((secret) => secret.data !== undefined && secret.stringData === undefined)).toBe(true);

    await expect(helmTemplate({ set: { 'config.HUB_ADMIN_TOKEN': secrets.HUB_ADMIN_TOKEN! } })).rejects.toThrow(/config\.HUB_ADMIN_TOKEN is a secret/);
    await expect(helmTemplate({ set: { 'secrets.create': 'true' } })).rejects.toThrow(/secrets\.values\.HUB_MASTER_KEY is required/);
  });

  it('keeps at least one pod of the API and of the worker through voluntary disruptions', async () => {
    for (const valuesFiles of [[], [productionValues]]) {
      const { objects } = await helmTemplate({ valuesFiles });
      for (const suffix of ['-api', '-worker']) {
        const budget = only(objects, 'PodDisruptionBudget', suffix);
        expect(budget.spec.minAvailable).toBeGreaterThanOrEqual(1);
        expect(selects(budget.spec.selector.matchLabels, only(objects, 'Deployment', suffix).spec.template.metadata.labels)).toBe(true);
        // A budget selecting both components would let one of them drain entirely.
        const other = suffix === '-api' ? '-worker' : '-api';
        expect(selects(budget.spec.selector.matchLabels, only(objects, 'Deployment', other).spec.template.metadata.labels)).toBe(false);
      }
    }
  });

  it('lets only the hub’s pods reach in-cluster Temporal and Postgres, and takes ingress on the API port only', async () => {
    const { objects } = await helmTemplate({ valuesFiles: [productionValues] });
    const hubPods = podTemplates(objects).map(({ pod }) => pod.metadata.labels as Record<string, string>);
    const policies = objects.filter((object) => object.kind === 'NetworkPolicy');

    for (const [target, namespace, podSelector, port] of [
      ['temporal', 'temporal', { 'app.kubernetes.io/name': 'temporal', 'app.kubernetes.io/component': 'frontend' }, 7233],
      ['postgres', NAMESPACE, { 'app.kubernetes.io/name': 'postgresql' }, 5432],
    ] as const) {
      const policy = only(policies, 'NetworkPolicy', `-${target}-clients`);
      expect([policy.metadata.namespace, policy.spec.podSelector.matchLabels, policy.spec.policyTypes]).toEqual([namespace, podSelector, ['Ingress']]);
      expect(policy.spec.ingress).toHaveLength(1);
      expect(policy.spec.ingress[0].ports).toEqual([{ port, protocol: 'TCP' }]);
      const [hubPeer, ...others] = policy.spec.ingress[0].from;
      for (const labels of hubPods) expect(selects(hubPeer.podSelector.matchLabels, labels)).toBe(true);
      // Another release's pods (or any pod merely named like the hub) are not admitted.
      expect(selects(hubPeer.podSelector.matchLabels, { 'app.kubernetes.io/name': 'integration-hub', 'app.kubernetes.io/instance': 'other' })).toBe(false);
      if (namespace === NAMESPACE) expect(hubPeer.namespaceSelector).toBeUndefined();
      else expect(hubPeer.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': NAMESPACE } });
      expect(others).toHaveLength(target === 'temporal' ? 2 : 0);
    }

    const api = only(policies, 'NetworkPolicy', '-api');
    const apiPod = only(objects, 'Deployment', '-api').spec.template.metadata.labels;
    expect(selects(api.spec.podSelector.matchLabels, apiPod)).toBe(true);
    expect(selects(api.spec.podSelector.matchLabels, only(objects, 'Deployment', '-worker').spec.template.metadata.labels)).toBe(false);
    expect(api.spec.ingress).toEqual([
      { ports: [{ port: 'http', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
    ]);
    const worker = only(policies, 'NetworkPolicy', '-worker');
    expect(worker.spec.ingress.map((rule: K8sObject) => rule.ports)).toEqual([[{ port: 'metrics', protocol: 'TCP' }]]);
    expect(only(policies, 'NetworkPolicy', '-migrations').spec.ingress).toEqual([]);

    const ingress = only(objects, 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: `${RELEASE}-integration-hub-api`, port: { name: 'http' } });

    // Off by default: Temporal Cloud and managed Postgres are outside the cluster.
    const defaults = await helmTemplate();
    expect(defaults.objects.filter((object) => object.kind === 'NetworkPolicy').map((object) => object.metadata.name)).toEqual(
      ['api', 'worker', 'migrations'].map((component) => `${RELEASE}-integration-hub-${component}`),
    );
  });
});
