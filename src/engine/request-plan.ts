/**
 * The request abx sends, built once: every request of a run is the same bytes
 * (as ab's), so the dispatch options object is frozen and reused.
 */
import type { Dispatcher } from 'undici';
import { abxVersion } from '../version.js';
import type { LoadConfig } from './config.js';

export interface RequestPlan {
  /** Where connections go: the URL's origin, or --resolve's address with the URL's port. */
  connectOrigin: string;
  /** SNI and certificate name for https (the URL's host even under --resolve). */
  servername: string | undefined;
  dispatchOptions: Dispatcher.DispatchOptions;
}

export function planRequest(config: LoadConfig): RequestPlan {
  const { url } = config;
  const headers: string[] = [];
  let hasHost = false;
  let hasUserAgent = false;
  let hasAccept = false;
  for (const [name, value] of config.headers) {
    const lower = name.toLowerCase();
    if (lower === 'host') hasHost = true;
    if (lower === 'user-agent') hasUserAgent = true;
    if (lower === 'accept') hasAccept = true;
    headers.push(name, value);
  }
  // As ab: Host, User-Agent and Accept given with -H replace the defaults.
  if (!hasHost && config.resolve) headers.push('host', url.host);
  if (!hasUserAgent) headers.push('user-agent', `abx/${abxVersion()} (ApacheBench-compatible)`);
  if (!hasAccept) headers.push('accept', '*/*');

  let connectOrigin = url.origin;
  let path = url.pathname + url.search;
  if (config.resolve) {
    const address = config.resolve.address.includes(':') ? `[${config.resolve.address}]` : config.resolve.address;
    connectOrigin = `${url.protocol}//${address}:${config.resolve.port}`;
  }
  if (config.proxy && url.protocol === 'http:') {
    // As ab: connect to the proxy and send the absolute URL in the request line.
    // (https goes through a CONNECT tunnel instead; see load.ts.)
    connectOrigin = config.proxy.url;
    path = url.origin + path;
    if (!hasHost) headers.push('host', url.host);
    if (config.proxy.authorization) headers.push('proxy-authorization', config.proxy.authorization);
  }
  const dispatchOptions: Dispatcher.DispatchOptions = {
    origin: connectOrigin,
    path,
    method: config.method,
    headers,
    body: config.body,
    // ab opens a new connection per request unless -k.
    reset: !config.keepAlive,
  };
  return {
    connectOrigin,
    servername: url.protocol === 'https:' && !isIpLiteral(url.hostname) ? url.hostname : undefined,
    dispatchOptions,
  };
}

function isIpLiteral(hostname: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(hostname) || hostname.startsWith('[');
}
