import { applyTransport } from '../../connectors/quickbooks/qboTransport';
import { ConfigError } from '../../connectors/errors';
import { createConnectorNetwork } from '../../connectors/network';

describe('node-quickbooks transport', () => {
  const network = createConnectorNetwork({ allowPrivateNetwork: false });
  const transport = { network, tokenUrl: 'https://oauth.example.test/token', timeoutMs: 5_000 };
  const qboRequest = () => ({
    url: 'https://quickbooks.api.intuit.com/v3/company/1/query',
    headers: { 'User-Agent': 'node-quickbooks: version 2.0.50' } as Record<string, unknown>,
  });

  it('applies the guarded agents, no redirects, no proxy, a timeout and a size bound', () => {
    const config = applyTransport(qboRequest(), transport);
    expect(config.httpAgent).toBe(network.httpAgent);
    expect(config.httpsAgent).toBe(network.httpsAgent);
    expect(config).toMatchObject({ proxy: false, maxRedirects: 0, timeout: 5_000, maxContentLength: 64 * 1024 * 1024 });
  });

  it("bounds answers by the network's CONNECTOR_MAX_RESPONSE_BYTES", () => {
    const small = createConnectorNetwork({ allowPrivateNetwork: false }, { maxResponseBytes: 1024 * 1024, maxLineBytes: 1024 * 1024 });
    expect(applyTransport(qboRequest(), { ...transport, network: small })).toMatchObject({ maxContentLength: 1024 * 1024, maxBodyLength: 1024 * 1024 });
  });

  it('sends the token refresh to the configured token URL', () => {
    const config = applyTransport({ url: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer', headers: {} }, transport);
    expect(config.url).toBe('https://oauth.example.test/token');
  });

  it('refuses private destinations and QuickBooks requests outside a connector call', () => {
    expect(() => applyTransport({ ...qboRequest(), url: 'https://169.254.169.254/v3/company/1/query' }, transport)).toThrow(ConfigError);
    expect(() => applyTransport(qboRequest(), undefined)).toThrow(/outside a connector call/);
    // Other users of the same axios instance are left alone.
    expect(applyTransport({ url: 'https://example.test/', headers: {} }, undefined)).toEqual({ url: 'https://example.test/', headers: {} });
  });
});
