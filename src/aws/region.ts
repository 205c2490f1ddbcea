/**
 * The one region rule, for a run's observer, `abx watch`, `abx check`, the
 * fleet's tasks, S3 results and the library: --region, then (when the group
 * is to be found from an ALB URL alone) the region in the ALB's DNS name,
 * then AWS_REGION, then AWS_DEFAULT_REGION, then the ALB's DNS name; with
 * none of these, the SDK's own (the profile's region).
 */
import { ConfigError } from '../errors.js';

/** The SDK's own rule for a region: a DNS label (letters, digits, hyphens), since it becomes part of the endpoint's host name. */
const REGION = /^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$/;

/** A region name as AWS could have one, or a one-line ConfigError that says it is invalid (not missing). */
export function checkRegion(region: string, flag = '--region'): string {
  const trimmed = region.trim();
  if (!trimmed) throw new ConfigError(`${flag} must not be empty`);
  if (!REGION.test(trimmed)) throw new ConfigError(`${flag} "${region}" is not a valid AWS region: use a name such as us-east-1`);
  return trimmed;
}

/** True when `region` could be a region (see checkRegion). */
export function isValidRegion(region: string): boolean {
  return REGION.test(region.trim());
}

/** --region, then AWS_REGION, then AWS_DEFAULT_REGION, then the region in an ALB DNS name. */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv, albRegion: string | undefined): string | undefined {
  for (const candidate of [flag, env.AWS_REGION, env.AWS_DEFAULT_REGION, albRegion]) {
    if (candidate && candidate.trim()) return candidate.trim();
  }
  return undefined;
}

export interface RegionChoice {
  /** undefined: none given anywhere abx looks; the SDK then tries the profile's. */
  region: string | undefined;
  /** Said once to the user when the choice is not the obvious one. */
  note?: string;
}

/**
 * The region to work in. A load balancer can only be found in the region of
 * its DNS name, so when the group is to be found from the URL alone that
 * region beats the environment (CloudShell sets AWS_REGION to the console's
 * region, not the ALB's), and a --region that says otherwise is a
 * contradiction.
 */
export function chooseRegion(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  albRegion: string | undefined,
  discoverFromUrl: boolean,
): RegionChoice {
  const fromEnv = resolveRegion(undefined, env, undefined);
  if (!albRegion || !discoverFromUrl) return { region: resolveRegion(flag, env, albRegion) };
  if (flag && flag.trim() && flag.trim() !== albRegion) {
    throw new ConfigError(
      `--region ${flag.trim()} contradicts the load balancer's DNS name, which is in ${albRegion}: drop --region or pass --asg`,
    );
  }
  if (!flag && fromEnv && fromEnv !== albRegion) {
    return { region: albRegion, note: `working in ${albRegion} (the load balancer's DNS name), not ${fromEnv} from the environment` };
  }
  return { region: albRegion };
}
