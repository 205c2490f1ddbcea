import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import type { Result } from '../../src/stats/result.js';
import { runAbx } from '../cli/abx-process.js';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ port: 0, apiPort: 0, periodMs: 1000, withPolicy: true });
});
afterAll(async () => {
  await lab.close();
});

describe('a run given only the ALB DNS name (as `abx -n … http://<ALB-DNS>/`)', () => {
  it('discovers the group behind it and observes, with --resolve pinning the traffic to loopback', async () => {
    const elb = new ElasticLoadBalancingV2Client({
      endpoint: lab.apiUrl,
      region: lab.region,
      credentials: lab.credentials,
      maxAttempts: 1,
    });
    const described = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lab.loadBalancerArn] }));
    const dnsName = described.LoadBalancers![0].DNSName!;
    const port = new URL(lab.url).port;
    const { code, stdout, stderr } = await runAbx(
      [
        '-n',
        '300',
        '-c',
        '5',
        '-k',
        '--resolve',
        `${dnsName}:${port}:127.0.0.1`,
        '--poll-interval',
        '1s',
        '--linger',
        '1s',
        '--json',
        `http://${dnsName}:${port}/`,
      ],
      {
        env: {
          CI: 'true',
          AWS_ENDPOINT_URL: lab.apiUrl,
          AWS_REGION: lab.region,
          AWS_ACCESS_KEY_ID: lab.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: lab.credentials.secretAccessKey,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    expect(stderr).not.toMatch(/warning/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Result;
    expect(result.totals.completed).toBe(300);
    expect(result.url).toBe(`http://${dnsName}:${port}/`);
    expect(result.observation?.asg).toBe(lab.asgName);
    expect(result.observation?.loadBalancer).toBe(lab.loadBalancerArn);
    expect(result.observation?.targetGroup).toBe(lab.targetGroupArn);
    expect(result.observation?.samples.some((s) => s.metric === 'RequestCountPerTarget')).toBe(true);
  }, 30_000);
});
