/**
 * What the CLI hands the observer. The observer owns everything behind this
 * (src/observe/); the CLI only builds these options from flags.
 */
import type { ObservationEvent } from '../stats/result.js';
import type { AwsCredentials } from '../aws/clients.js';

export interface ObserverOptions {
  /** --asg NAME */
  asg?: string;
  /** --target-group ARN */
  targetGroupArn?: string;
  /** The load's URL; an *.elb.amazonaws.com host allows discovery from the URL alone. */
  url?: URL;
  /** --region, else AWS_REGION, AWS_DEFAULT_REGION, or the region in an ALB DNS name. */
  region?: string;
  /** --profile */
  profile?: string;
  /** --endpoint-url (the SDK's AWS_ENDPOINT_URL[_<SERVICE>] variables also work). */
  endpointUrl?: string;
  /** Explicit credentials, e.g. the lab's fake ones; default: the SDK's chain (environment, profile, instance role). */
  credentials?: AwsCredentials;
  /** --poll-interval, at least 1000. */
  pollIntervalMs: number;
  /** Epoch ms the load run started: "+2m41s" times and the activities that count as new are relative to it. */
  runStartedAtMs: number;
  /** Called as each new event arrives (the CLI prints it). */
  onEvent?: (event: ObservationEvent) => void;
  /** Called after each poll, once its events were passed to onEvent: a printer can print one poll's events together, in time order. */
  onPollEnd?: () => void;
  /** Called with one-line warnings (missing credentials, AccessDenied, throttling...). */
  onWarning?: (message: string) => void;
}
