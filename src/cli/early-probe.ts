import { TcpBannerProbe } from '../adapters/ssh/banner-probe.js';
import { lastAcceptedAddress } from '../adapters/store/accepted-runs-file.js';
import { resolveHome } from '../adapters/store/home.js';

/** How long the early banner read may take; the same as the core's probe. */
const EARLY_TIMEOUT_MS = 3_000;

/**
 * For `rig status` only: starts reading the SSH banner of the workstation's last accepted address
 * before the AWS code loads, so sshd's answer and node's compiling overlap. The core takes the
 * answer only when EC2 then reports that same run at that same address; otherwise it is dropped.
 * Reads argv loosely on purpose: a wrong guess costs one unused TCP connection, nothing else.
 */
export function earlyBannerProbe(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): TcpBannerProbe | undefined {
  let home: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--home' || arg === '--profile') {
      if (arg === '--home') home = argv[i + 1];
      i++;
    } else if (arg.startsWith('--home=')) {
      home = arg.slice('--home='.length);
    } else if (!arg.startsWith('-')) {
      words.push(arg);
    }
  }
  if (words[0] !== 'status' || words.length > 2) return undefined;
  const address = lastAcceptedAddress(home ?? resolveHome(env), words[1]);
  if (!address) return undefined;
  const probe = new TcpBannerProbe();
  probe.prefetch(address.host, address.port, EARLY_TIMEOUT_MS);
  return probe;
}
