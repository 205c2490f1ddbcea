import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { chooseRegion, classifyAwsError, resolveRegion } from '../../src/observe/aws.js';

describe('region', () => {
  it('resolves --region, AWS_REGION, AWS_DEFAULT_REGION, then the ALB DNS name', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' }, 'ap-south-1')).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' }, 'ap-south-1')).toBe('us-east-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-west-2' }, 'ap-south-1')).toBe('us-west-2');
    expect(resolveRegion(undefined, { AWS_REGION: ' ' }, 'ap-south-1')).toBe('ap-south-1');
    expect(resolveRegion(undefined, {}, undefined)).toBeUndefined();
  });

  it('lets the DNS name win over the environment when the group is found from the URL alone', () => {
    expect(chooseRegion(undefined, { AWS_REGION: 'us-west-2' }, 'us-east-1', true)).toEqual({
      region: 'us-east-1',
      note: "observing in us-east-1 (the load balancer's DNS name), not us-west-2 from the environment",
    });
    expect(chooseRegion(undefined, { AWS_REGION: 'us-west-2' }, 'us-east-1', false)).toEqual({ region: 'us-west-2' });
    expect(chooseRegion('us-east-1', {}, 'us-east-1', true)).toEqual({ region: 'us-east-1' });
    expect(() => chooseRegion('eu-west-1', {}, 'us-east-1', true)).toThrow(ConfigError);
    expect(() => chooseRegion('eu-west-1', {}, 'us-east-1', true)).toThrow(
      "--region eu-west-1 contradicts the load balancer's DNS name, which is in us-east-1: drop --region or pass --asg",
    );
  });
});

describe('classifyAwsError', () => {
  const sdkError = (name: string, status: number, message = 'x') =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  it.each<[unknown, string, string, RegExp]>([
    [sdkError('AccessDenied', 403), 'GetMetricData', 'access-denied', /allow IAM action cloudwatch:GetMetricData/],
    [sdkError('AccessDeniedException', 400), 'DescribeLoadBalancers', 'access-denied', /elasticloadbalancing:DescribeLoadBalancers/],
    [sdkError('Throttling', 400), 'DescribeAlarms', 'throttling', /throttled/],
    [sdkError('SomethingElse', 429), 'DescribeAlarms', 'throttling', /throttled/],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      'DescribePolicies',
      'unreachable',
      /cannot reach the AWS endpoint for DescribePolicies \(ECONNREFUSED\)/,
    ],
    [
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'GetMetricData',
      'credentials',
      /^no AWS credentials found/,
    ],
    [sdkError('UnknownError', 500, 'Internal'), 'GetMetricData', 'bad-response', /HTTP 500/],
    [new SyntaxError('Unexpected token < in JSON'), 'GetMetricData', 'bad-response', /unusable answer/],
    [sdkError('LoadBalancerNotFound', 400, 'not found'), 'DescribeLoadBalancers', 'not-found', /not found/],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'GetMetricData', 'aborted', /cancelled/],
  ])('%#', (error, action, kind, message) => {
    const trouble = classifyAwsError(error, action);
    expect(trouble.kind).toBe(kind);
    expect(trouble.message).toMatch(message);
    expect(trouble.message).not.toContain('\n');
  });
});
