import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { knownVariables, loadConfig } from '../../platform/config';
import { assertProductionSecrets } from '../../platform/productionSecrets';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const root = path.resolve(__dirname, '..', '..');
const composeText = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

/** The file as `docker compose` reads it with `variables` in its environment: `${NAME:-fallback}` substituted. */
function composeWith(variables: Record<string, string>): { services: Record<string, Service> } {
  const text = composeText.replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_match, name: string, fallback: string) => variables[name] ?? fallback);
  return parse(text, { merge: true }) as { services: Record<string, Service> };
}

const compose = composeWith({});
const hubServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
const runtimeServices = ['api', 'worker'] as const;

describe('docker-compose.yml', () => {
  it('has the services DESIGN.md names', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'api', 'worker']));
  });

  it('runs the API, worker and migrations from this image with the npm scripts', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(Object.fromEntries(hubServices.map(([name, service]) => [name, service.command]))).toEqual({
      migrate: ['npm', 'run', 'migrate'],
      worker: ['npm', 'run', 'worker'],
      api: ['npm', 'run', 'api'],
    });
    for (const [, service] of hubServices) expect(scripts[service.command![2]!]).toBeDefined();
  });

  it.each(hubServices.map(([name]) => name))('%s sets only variables platform/config knows, and valid values', (name) => {
    const environment = compose.services[name]!.environment ?? {};
    expect(Object.keys(environment).filter((variable) => !knownVariables.includes(variable))).toEqual([]);
    expect(() => loadConfig(environment)).not.toThrow();
  });

  it('points the hub at services that exist, on the ports they listen on', () => {
    const api = compose.services.api!;
    const environment = api.environment!;
    const serviceNames = Object.keys(compose.services);
    const temporalHost = environment.TEMPORAL_ADDRESS!.split(':')[0]!;
    expect(serviceNames).toContain(temporalHost);
    expect(environment.TEMPORAL_ADDRESS!.split(':')[1]).toBe('7233');
    for (const url of [new URL(environment.DATABASE_APP_URL!), new URL(compose.services.migrate!.environment!.DATABASE_URL!)]) {
      expect(serviceNames).toContain(url.hostname);
      expect(url.port).toBe('5432');
    }
    expect(api.ports).toContain(`3000:${environment.PORT}`);
    const ui = new URL(environment.TEMPORAL_UI_URL!);
    expect(compose.services['temporal-ui']!.ports!.some((mapping) => mapping.startsWith(`127.0.0.1:${ui.port}:`))).toBe(true);
  });

  it.each<Record<string, string>>([{}, { DATABASE_APP_PASSWORD: 'a-secret-app-password' }])(
    'gives the app role the password migrations set for it (%j)',
    (variables) => {
      const configured = composeWith(variables);
      const migratePassword = configured.services.migrate!.environment!.DATABASE_APP_PASSWORD;
      for (const name of runtimeServices) {
        const url = new URL(configured.services[name]!.environment!.DATABASE_APP_URL!);
        expect([url.username, url.password]).toEqual(['hub_app', migratePassword]);
      }
    },
  );

  it('gives the owner connection to the one-shot migrate service only', () => {
    expect(compose.services.migrate!.environment!.DATABASE_URL).toBeDefined();
    expect(compose.services.migrate!.command).toEqual(['npm', 'run', 'migrate']);
    for (const name of runtimeServices) {
      const environment = compose.services[name]!.environment!;
      expect(environment.DATABASE_URL).toBeUndefined();
      expect(environment.DATABASE_APP_URL).toBeDefined();
    }
    // The owner password appears in no variable of the API or the worker.
    const ownerPassword = compose.services.postgres!.environment!.POSTGRES_PASSWORD!;
    for (const name of runtimeServices) expect(Object.values(compose.services[name]!.environment!).join('\n')).not.toContain(ownerPassword);
  });

  it('publishes neither Postgres nor the Temporal frontend to the host; the Temporal UI on loopback only', () => {
    expect(compose.services.postgres!.ports).toBeUndefined();
    expect(compose.services.temporal!.ports).toBeUndefined();
    expect(compose.services['temporal-ui']!.ports!.every((mapping) => mapping.startsWith('127.0.0.1:'))).toBe(true);
    const published = Object.entries(compose.services)
      .filter(([, service]) => service.ports !== undefined)
      .map(([name]) => name)
      .sort();
    expect(published).toEqual(['api', 'temporal-ui']);
  });

  it.each(runtimeServices)('%s refuses to start in production with the placeholders, and starts with real secrets', (name) => {
    const environment = compose.services[name]!.environment!;
    expect(environment.NODE_ENV).toBe('production');
    expect(() => assertProductionSecrets(loadConfig(environment), name)).toThrow(/^Refusing to start the .* in production: (HUB_ADMIN_TOKEN|HUB_MASTER_KEY) /);
    const secrets = {
      HUB_ADMIN_TOKEN: randomBytes(36).toString('base64'),
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      DATABASE_APP_PASSWORD: randomBytes(18).toString('base64url'),
      POSTGRES_PASSWORD: randomBytes(18).toString('base64url'),
    };
    const configured = composeWith(secrets).services[name]!.environment!;
    expect(() => assertProductionSecrets(loadConfig(configured), name)).not.toThrow();
  });

  it('points the Temporal UI at the codec endpoint of the API, whose CORS allows the UI origin', () => {
    const ui = compose.services['temporal-ui']!;
    const api = compose.services.api!.environment!;
    expect(new URL(ui.environment!.TEMPORAL_CODEC_ENDPOINT!).pathname).toBe('/codec');
    expect(new URL(ui.environment!.TEMPORAL_CODEC_ENDPOINT!).port).toBe(api.PORT);
    expect(new URL(api.TEMPORAL_UI_URL!).port).toBe(ui.ports![0]!.split(':')[1]);
  });

  it('uses the owner credentials the postgres service creates', () => {
    const postgres = compose.services.postgres!.environment!;
    const owner = new URL(compose.services.migrate!.environment!.DATABASE_URL!);
    expect([owner.username, owner.password, owner.pathname.slice(1)]).toEqual([postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD, postgres.POSTGRES_DB]);
  });
});
