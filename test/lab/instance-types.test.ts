/** Right-sizing: an instance's capacity in the lab follows its type's baseline CPU. */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/lab/simulation.js';
import { resolveLabOptions } from '../../src/lab/index.js';
import { capacityFactor, knownInstanceType } from '../../src/lab/capacity.js';

const T0 = Date.UTC(2026, 10, 26, 16, 5, 0);

describe('instance types', () => {
  it.each([
    ['t3.nano', 0.5],
    ['t3.micro', 1],
    ['t3.small', 2],
    ['t3.large', 3],
  ])('%s serves %f × a t3.micro (2 vCPUs × its baseline per vCPU)', (type, factor) => {
    expect(capacityFactor(type)).toBeCloseTo(factor, 9);
  });

  it('knows the t3 family only', () => {
    expect(knownInstanceType('t3.nano')).toBe(true);
    expect(knownInstanceType('m5.large')).toBe(false);
  });

  it('a t3.nano launched from a new template version takes twice a t3.micro time per request', () => {
    const s = new Simulation(resolveLabOptions({ periodMs: 1000, instanceCapacity: 100 }), T0);
    expect(s.routable().map((r) => r.model.serviceMs)).toEqual([10, 10]);
    s.launchTemplate.createVersion('1', { instanceType: 't3.nano' }, undefined, T0);
    s.launchTemplateVersion = '$Latest';
    s.group.setDesired(3, { atMs: T0 }, T0);
    s.advance(T0 + 2000);
    const byType = Object.fromEntries(
      s.routable().map((r) => [s.group.instances.find((i) => i.instanceId === r.instanceId)!.instanceType, r.model.serviceMs]),
    );
    expect(byType).toEqual({ 't3.micro': 10, 't3.nano': 20 });
  });
});
