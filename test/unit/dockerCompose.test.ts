import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { knownVariables, loadConfig } from '../../platform/config';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const root = path.resolve(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const hubServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

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
    expect(compose.services[temporalHost]!.ports).toContain(`7233:${environment.TEMPORAL_ADDRESS!.split(':')[1]}`);
    for (const variable of ['DATABASE_URL', 'DATABASE_APP_URL']) {
      const url = new URL(environment[variable]!);
      expect(serviceNames).toContain(url.hostname);
      expect(url.port).toBe('5432');
    }
    expect(api.ports).toContain(`3000:${environment.PORT}`);
    const ui = new URL(environment.TEMPORAL_UI_URL!);
    expect(compose.services['temporal-ui']!.ports!.some((mapping) => mapping.startsWith(`${ui.port}:`))).toBe(true);
  });

  it('gives the app role the password migrations set for it', () => {
    const environment = compose.services.api!.environment!;
    expect(new URL(environment.DATABASE_APP_URL!).username).toBe('hub_app');
    expect(new URL(environment.DATABASE_APP_URL!).password).toBe(environment.DATABASE_APP_PASSWORD);
    expect(compose.services.migrate!.environment!.DATABASE_APP_PASSWORD).toBe(environment.DATABASE_APP_PASSWORD);
  });

  it('uses the owner credentials the postgres service creates', () => {
    const postgres = compose.services.postgres!.environment!;
    const owner = new URL(compose.services.migrate!.environment!.DATABASE_URL!);
    expect([owner.username, owner.password, owner.pathname.slice(1)]).toEqual([postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD, postgres.POSTGRES_DB]);
  });
});
