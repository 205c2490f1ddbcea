import { describe, expect, it } from 'vitest';
import { buildRunSettings, parseResolve, parseTargetUrl } from '../../src/cli/options.js';
import { ConfigError } from '../../src/errors.js';

const URL_ = 'http://127.0.0.1:8080/x';

describe('flags → run settings', () => {
  it('follows ab: one request by default, -t alone has no cap, -c defaults to 1 (1000 with --rate)', () => {
    expect(buildRunSettings(URL_, {}).load).toMatchObject({
      requests: 1,
      concurrency: 1,
      durationMs: null,
      ratePerSec: null,
      keepAlive: false,
    });
    expect(buildRunSettings(URL_, { duration: '30' }).load).toMatchObject({ requests: null, durationMs: 30_000 });
    expect(buildRunSettings(URL_, { duration: '2m', requests: '10' }).load).toMatchObject({ requests: 10, durationMs: 120_000 });
    expect(buildRunSettings(URL_, { rate: '50', duration: '5s' }).load).toMatchObject({ concurrency: 1000, ratePerSec: 50 });
    expect(buildRunSettings(URL_, { timeout: '500ms' }).load.timeoutMs).toBe(500);
  });

  it('builds headers as ab does, with every -C and basic auth, and redacts secrets in what it records', () => {
    const withUserInfo = new URL('http://127.0.0.1:8080/');
    withUserInfo.username = 'u@x';
    withUserInfo.password = 'p:w';
    const settings = buildRunSettings(withUserInfo.href, {
      cookie: ['a=1', 'b=2'],
      header: ['X-One: 1', 'Accept:  text/html '],
    });
    expect(settings.load.headers).toEqual([
      ['Authorization', `Basic ${Buffer.from('u@x:p:w').toString('base64')}`],
      ['Cookie', 'a=1; b=2'],
      ['X-One', '1'],
      ['Accept', 'text/html'],
    ]);
    expect(settings.load.url.href).toBe('http://127.0.0.1:8080/');
    expect(settings.recorded.headers).toEqual(['Authorization: [redacted]', 'Cookie: [redacted]', 'X-One: 1', 'Accept: text/html']);
  });

  it('-A wins over URL credentials; -p/-u set the method, -T the type, -i HEAD, -m any token', () => {
    const withUserInfo = new URL('http://127.0.0.1/');
    withUserInfo.username = 'a';
    withUserInfo.password = 'b';
    expect(buildRunSettings(withUserInfo.href, { auth: 'c:d' }).load.headers[0]).toEqual([
      'Authorization',
      `Basic ${Buffer.from('c:d').toString('base64')}`,
    ]);
    expect(buildRunSettings(URL_, { head: true }).load.method).toBe('HEAD');
    expect(buildRunSettings(URL_, { method: 'patch' }).load.method).toBe('PATCH');
    const post = buildRunSettings(URL_, { postFile: new URL(import.meta.url).pathname, contentType: 'application/json' });
    expect(post.load.method).toBe('POST');
    expect(post.load.body?.length).toBeGreaterThan(0);
    expect(post.load.headers).toContainEqual(['Content-Type', 'application/json']);
  });

  it('observes for an ALB host, --asg or --target-group, never with --no-observe', () => {
    expect(buildRunSettings(URL_, {}).observe.observing).toBe(false);
    expect(buildRunSettings(URL_, { asg: 'web' }).observe.observing).toBe(true);
    expect(buildRunSettings('http://my-alb-123.us-east-1.elb.amazonaws.com/', {}).observe.observing).toBe(true);
    expect(buildRunSettings('http://my-alb-123.us-east-1.elb.amazonaws.com/', { observe: false }).observe.observing).toBe(false);
    expect(buildRunSettings(URL_, { asg: 'web', pollInterval: '2s', linger: '0' }).observe).toMatchObject({
      pollIntervalMs: 2000,
      lingerMs: 0,
    });
  });

  it.each([
    [
      'ab-x.us-east-1.elb.amazonaws.com:80:127.0.0.1',
      { host: 'ab-x.us-east-1.elb.amazonaws.com', port: 80, address: '127.0.0.1', addresses: ['127.0.0.1'] },
    ],
    ['localhost:8443:[::1]', { host: 'localhost', port: 8443, address: '::1', addresses: ['::1'] }],
    // Several addresses, as curl takes them: one per load-balancer node; duplicates count once.
    [
      'alb:80:127.0.0.1,127.0.0.2,[::1],127.0.0.1',
      { host: 'alb', port: 80, address: '127.0.0.1', addresses: ['127.0.0.1', '127.0.0.2', '::1'] },
    ],
  ])('--resolve %s', (text, expected) => {
    expect(parseResolve(text)).toEqual(expected);
  });

  it.each(['alb:80:', 'alb:80:127.0.0.1,', 'alb:80:1.2.3', 'alb:80:127.0.0.1,,127.0.0.2', 'alb:127.0.0.1'])(
    'refuses --resolve "%s" with a ConfigError',
    (text) => {
      expect(() => parseResolve(text)).toThrow(ConfigError);
    },
  );

  it.each([
    ['http://127.0.0.1', 'http://127.0.0.1/'],
    ['HTTPS://Example.com:8443/a?b=c', 'https://example.com:8443/a?b=c'],
    ['http://[::1]:9000/', 'http://[::1]:9000/'],
  ])('accepts the URL %s', (text, href) => {
    expect(parseTargetUrl(text).href).toBe(href);
  });

  it.each(['127.0.0.1:80/', 'ftp://127.0.0.1/', 'http://127.0.0.1:0/', 'http://127.0.0.1:65536/', 'http:///x', ''])(
    'refuses the URL "%s" with a ConfigError',
    (text) => {
      expect(() => parseTargetUrl(text)).toThrow(ConfigError);
    },
  );
});
