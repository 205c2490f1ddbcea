/**
 * A target-tracking policy names its metric by predefined type
 * (ALBRequestCountPerTarget); CloudWatch publishes the same metric under
 * another name (RequestCountPerTarget). Discovery, the reports and
 * `abx watch` all need the CloudWatch name, so the mapping lives here.
 */
import type { Observation } from './result.js';

const CLOUDWATCH_NAME_OF_PREDEFINED = new Map<string, string>([
  ['ALBRequestCountPerTarget', 'RequestCountPerTarget'],
  ['ASGAverageCPUUtilization', 'CPUUtilization'],
  ['ASGAverageNetworkIn', 'NetworkIn'],
  ['ASGAverageNetworkOut', 'NetworkOut'],
]);

/** The CloudWatch metric name of a predefined metric type; any other name is returned as it is. */
export function cloudWatchMetricName(metric: string): string {
  return CLOUDWATCH_NAME_OF_PREDEFINED.get(metric) ?? metric;
}

/** The CloudWatch metric the observed policy tracks; RequestCountPerTarget when no policy was found. */
export function policyMetric(observation: Observation): string {
  return cloudWatchMetricName(observation.policy?.metric ?? 'RequestCountPerTarget');
}
