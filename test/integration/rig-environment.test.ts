import { describe, expect, it } from 'vitest';
import { withProcessEnv } from '../support/process-env.js';
import { useRigWorld } from '../support/rig-harness.js';

// `rig` takes its environment as a value from its entry point, AWS endpoint and keys included: two
// runs in one process, each with its own environment, reach each their own AWS.
const world = useRigWorld({ eachTest: { init: true } });

describe('rig and the environment it is given', () => {
  it('two overlapping runs each reach the AWS endpoint of their own environment, and the process environment is untouched', async () => {
    // The process's own environment points the AWS SDK at moto while they run: a run that read it
    // would reach moto too, whatever it was given.
    const moto = Object.fromEntries(Object.entries(world.cloud.env).filter(([name]) => name.startsWith('AWS_')));
    await withProcessEnv(moto, async () => {
      const before = JSON.stringify(process.env);
      const elsewhere = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1', CLOUDRIG_AWS_TIMEOUT_MS: '1000' };
      const [own, other] = await Promise.all([
        world.rig(['status', '--json']),
        world.rig(['status', '--json'], { env: elsewhere }),
      ]);
      expect(own.code, own.stderr).toBe(0);
      expect(JSON.parse(own.stdout)).toMatchObject({ name: 'gpu' });
      expect(other.code).toBe(1);
      expect(other.stderr).toMatch(/AWS EC2 at http:\/\/127\.0\.0\.1:9/);
      expect(JSON.stringify(process.env)).toBe(before);
    });
  });

  it('signs with the keys of its own environment, not the process\'s', async () => {
    // moto accepts any key; the proxy records who signed, so the run's own key must be the one seen.
    const result = await withProcessEnv({ AWS_ACCESS_KEY_ID: 'AKIAPROCESS', AWS_SECRET_ACCESS_KEY: 'process' },
      () => world.rig(['status', '--json'], { env: { AWS_ACCESS_KEY_ID: 'AKIAOTHERRUN', AWS_SECRET_ACCESS_KEY: 'other' } }));
    expect(result.code, result.stderr).toBe(0);
    expect(world.cloud.proxy.signers()).toContain('AKIAOTHERRUN');
    expect(world.cloud.proxy.signers()).not.toContain('AKIAPROCESS');
  });
});
