/**
 * The port a URL connects to: the one written in it, else its scheme's
 * default. WHATWG URL leaves `port` empty when it is the default, so every
 * caller that needs a number needs this one rule.
 */
export function urlPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}
