import type { CloudGateway, LaunchRecord } from './ports.js';

/**
 * Whether the launch a record holds has ended: its instance was answered and EC2 now reports it
 * terminated (or going). Its token is then spent: EC2 answers it with that old instance (the
 * idempotency contract gives the first answer back), so a new launch needs a new token. Anything
 * less certain keeps the token: a record whose launch was never answered, or an instance EC2 does
 * not list yet (just launched, not yet consistent), may still be the one that token started.
 */
export async function launchEnded(gateway: Pick<CloudGateway, 'describeInstance'>, record: LaunchRecord): Promise<boolean> {
  if (record.instanceId === null) return false;
  const instance = await gateway.describeInstance(record.instanceId).catch(() => null);
  return instance?.state === 'terminated' || instance?.state === 'shutting-down';
}
