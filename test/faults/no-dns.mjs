// Preloaded into abx (NODE_OPTIONS=--import) by the unresolvable-host test.
// It answers every *.invalid lookup with ENOTFOUND inside the process, as a
// resolver must (RFC 6761), so the test never sends a DNS query off this
// machine. Every other name goes to the real dns.lookup.
import dns from 'node:dns';

const realLookup = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  if (/\.invalid\.?$/i.test(String(hostname))) {
    const done = typeof options === 'function' ? options : callback;
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND',
      errno: -3008,
      syscall: 'getaddrinfo',
      hostname,
    });
    process.nextTick(done, error);
    return {};
  }
  return realLookup.call(this, hostname, options, callback);
};
