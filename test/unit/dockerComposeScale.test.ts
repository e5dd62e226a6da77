import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { knownVariables, loadConfig } from '../../platform/config';

interface Service {
  image?: string;
  ports?: string[] | 'RESET';
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  configs?: Array<{ source: string; target: string }>;
}

const root = path.resolve(__dirname, '..', '..');
// `!reset` (Compose 2.24) clears what docker-compose.yml set: read here as the marker RESET.
const customTags = [{ tag: '!reset', collection: 'seq' as const, resolve: () => 'RESET' }];
/** docker-compose.yml as `docker compose` reads it without variables set: `${NAME:-fallback}` substituted. */
const baseText = fs
  .readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')
  .replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_match, _name: string, fallback: string) => fallback);
const base = parse(baseText, { merge: true }) as { services: Record<string, Service> };
const scale = parse(fs.readFileSync(path.join(root, 'docker-compose.scale.yml'), 'utf8'), { merge: true, customTags }) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
};

describe('docker-compose.scale.yml', () => {
  it('runs 2 API and 2 worker replicas, and only the proxy publishes the API port', () => {
    expect(scale.services.api!.deploy!.replicas).toBe(2);
    expect(scale.services.worker!.deploy!.replicas).toBe(2);
    expect(scale.services.api!.ports).toBe('RESET');
    expect(base.services.api!.ports).toEqual(['3000:3000']);
    expect(scale.services.proxy!.ports).toEqual(['3000:3000']);
  });

  it('proxies to the API service on the port the API listens on, and the API trusts exactly that one hop', () => {
    const config = scale.configs[scale.services.proxy!.configs![0]!.source]!.content;
    expect(config).toContain(`server api:${base.services.api!.environment!.PORT};`);
    expect(config).toMatch(/listen 3000;/);
    // Compose substitutes `$…` in the whole file: nginx variables are written `$$`.
    expect(config.match(/(?<!\$)\$(?!\$)/g)).toBeNull();
    const environment = { ...base.services.api!.environment!, ...scale.services.api!.environment! };
    expect(Object.keys(scale.services.api!.environment!).filter((name) => !knownVariables.includes(name))).toEqual([]);
    expect(loadConfig(environment).API_TRUST_PROXY).toBeTruthy();
  });
});
