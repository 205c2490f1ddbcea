import { describe, expect, it } from 'vitest';
import { loadBalancerDimension, parseAlbHost, parseResourceLabel, sameDnsName, targetGroupDimension } from '../../src/observe/arn.js';

describe('ARN → CloudWatch dimension', () => {
  it.each([
    [
      'arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188',
      'app/my-load-balancer/50dc6c495c0c9188',
    ],
    ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/my-nlb/1234567890abcdef', 'net/my-nlb/1234567890abcdef'],
    ['arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067', null],
    ['not an arn', null],
  ])('load balancer %s → %s', (arn, dim) => {
    expect(loadBalancerDimension(arn)).toBe(dim);
  });

  it.each([
    [
      'arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067',
      'targetgroup/my-targets/73e2d6bc24d8a067',
    ],
    ['arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/tg-1/0123456789abcdef', 'targetgroup/tg-1/0123456789abcdef'],
    ['arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188', null],
    ['targetgroup/x/y', null],
  ])('target group %s → %s', (arn, dim) => {
    expect(targetGroupDimension(arn)).toBe(dim);
  });

  it('splits a ResourceLabel into its two dimensions', () => {
    expect(parseResourceLabel('app/my-alb/778d41231b141a0f/targetgroup/my-alb-target-group/943f017f100becff')).toEqual({
      loadBalancer: 'app/my-alb/778d41231b141a0f',
      targetGroup: 'targetgroup/my-alb-target-group/943f017f100becff',
    });
    expect(parseResourceLabel('targetgroup/x/1')).toBeNull();
  });
});

describe('ALB DNS name → region and name guess', () => {
  it.each([
    ['my-load-balancer-424835706.us-west-2.elb.amazonaws.com', 'us-west-2', 'my-load-balancer'],
    ['de-c1w3-alb-123456.us-east-1.elb.amazonaws.com', 'us-east-1', 'de-c1w3-alb'],
    ['internal-api-99.eu-central-1.elb.amazonaws.com', 'eu-central-1', 'api'],
    ['dualstack.web-1234.ap-northeast-1.elb.amazonaws.com.', 'ap-northeast-1', 'web'],
    ['MY-ALB-123456.US-EAST-1.ELB.AMAZONAWS.COM', 'us-east-1', 'my-alb'],
    // The lab's stand-in domain.
    ['abx-lab-alb-123456789.us-east-1.elb.localhost', 'us-east-1', 'abx-lab-alb'],
  ])('%s', (host, region, name) => {
    const parsed = parseAlbHost(host);
    expect(parsed?.region).toBe(region);
    expect(parsed?.nameCandidate).toBe(name);
  });

  it.each(['example.com', '127.0.0.1', 'my-alb.elb.amazonaws.com.evil.test', '[::1]'])('%s is not an ALB', (host) => {
    expect(parseAlbHost(host)).toBeNull();
  });

  it('compares DNS names as ALBs answer them', () => {
    expect(sameDnsName('dualstack.Web-1.us-east-1.elb.amazonaws.com.', 'web-1.us-east-1.elb.amazonaws.com')).toBe(true);
    expect(sameDnsName('web-1.us-east-1.elb.amazonaws.com', 'web-2.us-east-1.elb.amazonaws.com')).toBe(false);
  });
});
