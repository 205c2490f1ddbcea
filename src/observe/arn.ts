/**
 * ARNs, resource labels and ALB host names → the CloudWatch dimension values
 * AWS publishes ALB metrics under. CloudWatch treats each dimension set as a
 * separate metric, so these must match exactly what ELB publishes: the
 * "final portion" of each ARN, as the ELB user guide's CloudWatch metrics
 * page defines the LoadBalancer and TargetGroup dimensions.
 */

/** `arn:…:loadbalancer/app/my-alb/50dc6c495c0c9188` → `app/my-alb/50dc6c495c0c9188`; null when not a load balancer ARN. */
export function loadBalancerDimension(arn: string): string | null {
  const marker = ':loadbalancer/';
  const at = arn.indexOf(marker);
  if (at < 0) return null;
  const value = arn.slice(at + marker.length);
  return /^(app|net|gwy)\/[^/]+\/[^/]+$/.test(value) ? value : null;
}

/** `arn:…:targetgroup/my-targets/73e2d6bc24d8a067` → `targetgroup/my-targets/73e2d6bc24d8a067`; null when not a target group ARN. */
export function targetGroupDimension(arn: string): string | null {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  const value = parts.slice(5).join(':');
  return /^targetgroup\/[^/]+\/[^/]+$/.test(value) ? value : null;
}

/**
 * A target-tracking ResourceLabel is the two dimensions joined by "/":
 * `app/<lb>/<id>/targetgroup/<tg>/<id>`.
 */
export function parseResourceLabel(label: string): { loadBalancer: string; targetGroup: string } | null {
  const match = /^((?:app|net)\/[^/]+\/[^/]+)\/(targetgroup\/[^/]+\/[^/]+)$/.exec(label.trim());
  return match ? { loadBalancer: match[1], targetGroup: match[2] } : null;
}

export interface AlbHost {
  /** The host as given, lower-cased, without a trailing dot. */
  dnsName: string;
  region: string;
  /** A guess at the load balancer's name: the first label minus `internal-`, `dualstack.` and the trailing `-<digits>`. */
  nameCandidate: string;
}

/**
 * `my-alb-123456.us-east-1.elb.amazonaws.com` → region us-east-1, name my-alb.
 * The name is a heuristic (names may themselves end in digits), so discovery
 * confirms it against DescribeLoadBalancers' DNSName.
 */
export function parseAlbHost(host: string): AlbHost | null {
  let dnsName = host.trim().toLowerCase().replace(/\.$/, '');
  if (dnsName.startsWith('[')) return null;
  dnsName = dnsName.replace(/:\d+$/, '');
  // `.elb.localhost` is the lab's stand-in for `.elb.amazonaws.com` (the
  // .localhost TLD is loopback by RFC 6761), so discovery from a DNS name can
  // be exercised end to end without AWS.
  const match = /^(?:dualstack\.)?([a-z0-9-]+)\.([a-z]{2}(?:-[a-z]+)+-\d+)\.elb\.(?:amazonaws\.com(?:\.cn)?|localhost)$/.exec(dnsName);
  if (!match) return null;
  const label = match[1].replace(/^internal-/, '');
  const nameCandidate = label.replace(/-\d+$/, '');
  return { dnsName: dnsName.replace(/^dualstack\./, ''), region: match[2], nameCandidate };
}

/** DNS names compared as ALBs answer them: case-insensitive, without a trailing dot or `dualstack.`. */
export function sameDnsName(a: string, b: string): boolean {
  const norm = (s: string): string =>
    s
      .trim()
      .toLowerCase()
      .replace(/\.$/, '')
      .replace(/^dualstack\./, '');
  return norm(a) === norm(b);
}
