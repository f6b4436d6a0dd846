import type { CloudGateway, KeyStore } from './ports.js';
import { CloudRigError } from './errors.js';
import { resourceName } from './lifecycle-context.js';

/**
 * Makes sure AWS has the workstation's key pair and this machine its private key. The key is
 * always made here and imported (ImportKeyPair), never created by AWS: no private key crosses the
 * wire, and a crash at any point leaves either nothing or a local key the next run imports. A key
 * pair in AWS whose private key is not here (another machine, a deleted home) is replaced only
 * when asked (`replace`): another machine may still hold that key.
 */
export async function ensureKeyPair(keys: KeyStore, gateway: CloudGateway, workstation: string, instanceType: string, replace = false): Promise<{ created: boolean; replaced: boolean }> {
  const keyName = resourceName(workstation);
  const local = await keys.read(keyName);
  const remote = await gateway.keyPairExists(keyName);
  if (remote && local) return { created: false, replaced: false };
  if (remote && !replace) {
    throw new CloudRigError('KeyPairWithoutPrivateKey',
      `AWS has the key pair ${keyName} in ${gateway.region}, but its private key is not at ${keys.pathOf(keyName)}.`,
      { action: 'replace-key', name: workstation, region: gateway.region, instanceType });
  }
  if (remote) await gateway.deleteKeyPair(keyName);
  const publicKey = local ? await keys.publicKeyOf(local) : await keys.create(keyName);
  await gateway.importKeyPair(keyName, publicKey, workstation);
  return { created: true, replaced: remote };
}
