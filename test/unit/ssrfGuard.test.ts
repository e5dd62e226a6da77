import http from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { asConfigError, createConnectorNetwork } from '../../connectors/network';
import { ConfigError } from '../../connectors/errors';
import { isPublicAddress } from '../../platform/network/addressPolicy';
import { addressAllowed, assertAllowedUrl, createGuardedFetch, ForbiddenDestinationError, ResponseTooLargeError } from '../../platform/network/guardedNetwork';
import { allowanceProblem, normaliseCidr, tenantNetworkPolicy } from '../../platform/network/tenantAllowances';
import { boundedLines } from '../../connectors/fhir/bulkExport';

const strict = { allowPrivateNetwork: false };

describe('SSRF guard', () => {
  it.each([
    'https://127.0.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::ffff:127.0.0.1]/',
    'https://2130706433/',
    'https://0x7f.0.0.1/',
    'https://10.0.0.5/',
    'https://192.168.1.1/',
    'https://172.16.0.1/',
    'https://100.64.0.1/',
    'https://[::1]/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://0.0.0.0/',
    'https://localhost/',
    'https://api.localhost/',
    'https://metadata.google.internal/',
    'http://example.com/',
    'https://user:pass@example.com/',
    'ftp://example.com/',
    'not a url',
  ])('refuses %s when private networking is off', (url) => {
    expect(() => assertAllowedUrl(url, strict)).toThrow(ForbiddenDestinationError);
  });

  it('accepts public https URLs', () => {
    expect(assertAllowedUrl('https://login.salesforce.com/services/oauth2/token', strict).hostname).toBe('login.salesforce.com');
    expect(assertAllowedUrl('https://8.8.8.8/', strict).hostname).toBe('8.8.8.8');
  });

  it('accepts private and http URLs when private networking is on', () => {
    expect(() => assertAllowedUrl('http://127.0.0.1:8080/', { allowPrivateNetwork: true })).not.toThrow();
  });

  it('classifies addresses', () => {
    for (const address of ['127.0.0.1', '169.254.169.254', '::ffff:7f00:1', '::1', '10.1.2.3', 'fc00::1', '64:ff9b::7f00:1', '224.0.0.1']) {
      expect([address, isPublicAddress(address)]).toEqual([address, false]);
    }
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
  });

  describe('at connect time', () => {
    let target: http.Server;
    let redirector: http.Server;
    let targetPort: number;
    let redirectorPort: number;

    beforeAll(async () => {
      target = http.createServer((_req, res) => res.end('secret internal data'));
      target.listen(0, '127.0.0.1');
      await once(target, 'listening');
      targetPort = (target.address() as AddressInfo).port;
      // Stands in for a public host: 127.0.0.2 is explicitly allowlisted below; it redirects to loopback.
      redirector = http.createServer((req, res) => {
        res.writeHead(302, { Location: req.url === '/dns' ? `http://localhost:${targetPort}/` : `http://127.0.0.1:${targetPort}/` }).end();
      });
      redirector.listen(0, '127.0.0.2');
      await once(redirector, 'listening');
      redirectorPort = (redirector.address() as AddressInfo).port;
    });
    afterAll(() => {
      target.close();
      redirector.close();
    });

    it('refuses a redirect to loopback', async () => {
      const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, allowInsecureHttp: true, allowedCidrs: ['127.0.0.2/32'] });
      await expect(guardedFetch(`http://127.0.0.2:${redirectorPort}/`)).rejects.toThrow(/127\.0\.0\.1 is not a public address/);
      await expect(guardedFetch(`http://127.0.0.2:${redirectorPort}/dns`)).rejects.toThrow(/localhost is a reserved host name/);
      // Without the redirect, the allowlisted host itself is reachable.
      const direct = await createGuardedFetch({ allowPrivateNetwork: false, allowInsecureHttp: true, allowedCidrs: ['127.0.0.1/32'] })(
        `http://127.0.0.1:${targetPort}/`,
      );
      expect(await direct.text()).toBe('secret internal data');
    });

    it('checks every connection after DNS resolution (a name that resolves to loopback is refused)', async () => {
      const network = createConnectorNetwork({ allowPrivateNetwork: false });
      // localhost is refused by name; an agent used by a client library refuses the resolved address too.
      await expect(network.fetch(`https://localhost:${targetPort}/`)).rejects.toBeInstanceOf(ConfigError);
      const viaAgent = await new Promise<Error>((resolve) => {
        http.get({ host: 'localhost', port: targetPort, agent: network.httpAgent }, () => resolve(new Error('connected'))).on('error', resolve);
      });
      expect(viaAgent).toBeInstanceOf(ForbiddenDestinationError);
      const viaLiteral = await new Promise<Error>((resolve) => {
        http.get({ host: '127.0.0.1', port: targetPort, agent: network.httpAgent }, () => resolve(new Error('connected'))).on('error', resolve);
      });
      expect(viaLiteral).toBeInstanceOf(ForbiddenDestinationError);
    });

    it('with private networking on, follows redirects and bounds the body', async () => {
      const guardedFetch = createGuardedFetch({ allowPrivateNetwork: true });
      const response = await guardedFetch(`http://127.0.0.2:${redirectorPort}/`);
      expect(await response.text()).toBe('secret internal data');
      // A declared length over the limit is refused before reading; a streamed body stops at the limit.
      await expect(guardedFetch(`http://127.0.0.1:${targetPort}/`, { maxResponseBytes: 4 })).rejects.toThrow(/exceeds the limit/);
      const streamed = http.createServer((_req, res) => {
        res.write('x'.repeat(1000));
        res.end('y'.repeat(1000));
      });
      streamed.listen(0, '127.0.0.1');
      await once(streamed, 'listening');
      try {
        const big = await guardedFetch(`http://127.0.0.1:${(streamed.address() as AddressInfo).port}/`, { maxResponseBytes: 1500 });
        await expect(big.text()).rejects.toThrow(ResponseTooLargeError);
        // Truncating (webhook answers): the first bytes, the rest discarded.
        const cut = await guardedFetch(`http://127.0.0.1:${(streamed.address() as AddressInfo).port}/`, { maxResponseBytes: 1500, oversize: 'truncate' });
        expect(await cut.text()).toBe(`${'x'.repeat(1000)}${'y'.repeat(500)}`);
      } finally {
        streamed.close();
      }
    });
  });

  it("a tenant's private-network allowance opens its ranges to that tenant's policy only; the process allowlist to everyone", () => {
    const process = { HUB_ALLOW_PRIVATE_NETWORK: false, HUB_NETWORK_ALLOWLIST: [] };
    const vpnTenant = tenantNetworkPolicy(process, ['10.20.0.0/16']);
    const otherTenant = tenantNetworkPolicy(process, []);
    expect(addressAllowed('10.20.3.4', vpnTenant)).toBe(true);
    expect(addressAllowed('::ffff:10.20.3.4', vpnTenant)).toBe(true);
    expect(addressAllowed('10.21.0.1', vpnTenant)).toBe(false);
    expect(addressAllowed('10.20.3.4', otherTenant)).toBe(false);
    expect(() => assertAllowedUrl('https://10.20.3.4/', vpnTenant)).not.toThrow();
    expect(() => assertAllowedUrl('https://10.20.3.4/', otherTenant)).toThrow(ForbiddenDestinationError);
    // Plain http stays refused unless private networking or HUB_ALLOW_INSECURE_HTTP (development) allows it.
    expect(() => assertAllowedUrl('http://10.20.3.4/', vpnTenant)).toThrow(/use https/);
    expect(() => assertAllowedUrl('http://10.20.3.4/', tenantNetworkPolicy({ ...process, HUB_ALLOW_INSECURE_HTTP: true }, ['10.20.0.0/16']))).not.toThrow();
    expect(addressAllowed('10.20.3.4', tenantNetworkPolicy({ ...process, HUB_NETWORK_ALLOWLIST: ['10.20.0.0/16'] }, []))).toBe(true);
  });

  it('normalises allowances and refuses ranges no tenant may be granted', () => {
    expect(normaliseCidr(' 10.20.30.40/16 ')).toBe('10.20.0.0/16');
    expect(normaliseCidr('fd00:1234::9/32')).toBe('fd00:1234::/32');
    expect(allowanceProblem('10.20.0.0/16', true)).toBeUndefined();
    expect(allowanceProblem('fd00::/8', true)).toBeUndefined();
    expect(allowanceProblem('127.0.0.1/32', false)).toBeUndefined();
    expect(allowanceProblem('127.0.0.1/32', true)).toMatch(/127\.0\.0\.0\/8.*production/);
    expect(allowanceProblem('169.254.169.254/32', false)).toMatch(/169\.254\.0\.0\/16/);
    expect(allowanceProblem('169.0.0.0/8', false)).toMatch(/169\.254\.0\.0\/16/);
    expect(allowanceProblem('fe80::/64', false)).toMatch(/fe80::\/10/);
    expect(allowanceProblem('0.0.0.0/0', false)).toMatch(/too broad/);
    expect(allowanceProblem('8.0.0.0/7', false)).toMatch(/too broad/);
  });

  it('maps oversized responses to a non-retried ConfigError naming the limit, however a library wrapped them', () => {
    const tooLarge = new ResponseTooLargeError(1024, 'CONNECTOR_MAX_RESPONSE_BYTES');
    expect(tooLarge.message).toBe('response exceeds the limit of 1024 bytes (CONNECTOR_MAX_RESPONSE_BYTES)');
    // fetch: TypeError with a cause; stripe: StripeConnectionError.detail → HttpClientResponseBodyError.exception; axios: cause.
    for (const wrapped of [
      tooLarge,
      Object.assign(new TypeError('terminated'), { cause: tooLarge }),
      Object.assign(new Error('An error occurred with our connection to Stripe.'), {
        detail: Object.assign(new Error('Failed to read'), { exception: tooLarge }),
      }),
    ]) {
      const mapped = asConfigError(wrapped) as ConfigError;
      expect(mapped).toBeInstanceOf(ConfigError);
      expect(mapped).toMatchObject({ kind: 'config', code: 'RESPONSE_TOO_LARGE', message: expect.stringContaining('CONNECTOR_MAX_RESPONSE_BYTES') });
    }
  });

  it('splits NDJSON into lines across chunks and fails on a line over the limit before buffering it', async () => {
    async function* chunks(...parts: string[]) {
      for (const part of parts) yield Buffer.from(part);
    }
    const lines: string[] = [];
    for await (const line of boundedLines(chunks('{"a":1}\r\n{"b"', ':2}\n\n{"c":', '"é"}'), 16)) lines.push(line);
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '', '{"c":"é"}']);
    const long = boundedLines(chunks('short\n', 'x'.repeat(10), 'x'.repeat(10), '\n'), 16);
    await expect(long.next()).resolves.toEqual({ value: 'short', done: false });
    await expect(long.next()).rejects.toThrow('a line of the NDJSON file exceeds the limit of 16 bytes (CONNECTOR_MAX_LINE_BYTES)');
  });

  it('maps refusals to ConfigError and leaves other errors alone', () => {
    expect(asConfigError(new ForbiddenDestinationError('x'))).toBeInstanceOf(ConfigError);
    expect(asConfigError(Object.assign(new TypeError('fetch failed'), { cause: new ForbiddenDestinationError('x') }))).toBeInstanceOf(ConfigError);
    const other = new Error('boom');
    expect(asConfigError(other)).toBe(other);
  });
});
