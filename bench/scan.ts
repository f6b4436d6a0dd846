import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startCloudProxy, type CloudProxy } from '../test/fixtures/cloud-proxy.js';
import { startMoto, type MotoServer } from '../test/fixtures/moto.js';
import { seconds, summary, type Row } from './report.js';
import type { Samples } from './samples.js';
import { createCore } from '../src/adapters/compose.js';
import { clientConfig } from '../src/adapters/aws/client-config.js';
import { REGION, type BenchWorld } from './world.js';

/** A near region's round trip, and a far one's (e.g. a laptop in Europe asking ap-southeast-2). */
const LATENCIES_MS = [100, 300];

/**
 * DESIGN.md's target: the all-region scan takes ≤ 2× one region's call. With the proxy adding a
 * fixed latency to every call, times one region's DescribeInstances (`scanRegion`), the all-region
 * scan as CloudRig runs it (regions in parallel, overlapping DescribeRegions) and the same scan one
 * region after another.
 *
 * The target rows run against a peer that answers regions in parallel: a proxy whose regions are
 * spread over several moto processes (the workstation's region stays on the world's moto, where
 * its instance is). A single moto answers 38 parallel requests one after another, which says more
 * about moto than about CloudRig; that figure stays as a diagnostic row.
 */
export async function measureScan(world: BenchWorld, samples: Samples): Promise<Row[]> {
  const motos: MotoServer[] = [];
  let parallel: CloudProxy | null = null;
  try {
    // moto processes besides the world's: each answers a group of regions, as AWS's endpoints do.
    for (let i = 0; i < samples.scanExtraMotos; i++) motos.push(await startMoto());
    const regions = await enabledRegions(world, world.rig.cloud.endpoint);
    const targets = [world.rig.cloud.moto.url, ...motos.map((m) => m.url)];
    const regionTargets = Object.fromEntries(regions.map((region, i) => [region, region === REGION ? world.rig.cloud.moto.url : targets[i % targets.length]!]));
    parallel = await startCloudProxy({ target: world.rig.cloud.moto.url, regionTargets });
    const peer = `${targets.length} moto processes`;
    const rows: Row[] = [];
    for (const [index, latency] of LATENCIES_MS.entries()) {
      rows.push(await measureAt(world, parallel.url, parallel, latency, peer, index === 0 ? samples.scanSequentialRepeats : 0, samples.scanRepeats));
    }
    const single = await measureAt(world, world.rig.cloud.endpoint, world.rig.cloud.proxy, 100, 'one moto process', 0, samples.scanRepeats);
    rows.push({ ...single, measure: `${single.measure}, diagnostic`, target: 'none (moto answers one request at a time)', pass: null });
    return rows;
  } finally {
    await parallel?.close();
    await Promise.all(motos.map((m) => m.close()));
  }
}

async function measureAt(world: BenchWorld, endpoint: string, proxy: CloudProxy, LATENCY_MS: number, peer: string, sequentialRepeats: number, repeats: number): Promise<Row> {
  // The core reads its endpoint from the environment it is given, once: a core of its own for this peer.
  const cloud = createCore({ home: world.rig.home, env: { ...world.rig.env, AWS_ENDPOINT_URL: endpoint } }).cloud;
  proxy.setLatency(LATENCY_MS);
  try {
    // Warm up: module loading and the first client setup are not what we measure.
    const regions = new Set((await cloud.scan()).map((i) => i.region));
    await cloud.scanRegion(REGION);
    proxy.resetCounts();
    await cloud.scan();
    const callsPerScan = proxy.counts();

    // Diagnostic: the same fan-out without the DescribeRegions round trip before it, i.e. with the
    // list of enabled regions already known.
    const regionNames = await enabledRegions(world, endpoint);

    const single: number[] = [];
    const parallel: number[] = [];
    const fanOut: number[] = [];
    const sequential: number[] = [];
    for (let i = 0; i < repeats; i++) {
      single.push(await timed(() => cloud.scanRegion(REGION)));
      parallel.push(await timed(() => cloud.scan()));
      fanOut.push(await timed(() => Promise.all(regionNames.map((region) => cloud.scanRegion(region)))));
      if (i < sequentialRepeats) sequential.push(await timed(() => cloud.scan({ sequential: true })));
    }
    const s = summary(single);
    const p = summary(parallel);
    const f = summary(fanOut);
    const q = sequential.length ? summary(sequential) : null;
    const regionCount = callsPerScan.DescribeInstances ?? 0;
    // A scan whose calls this peer never saw went elsewhere (the core's own endpoint): its times
    // would say nothing about this peer, so the row is not measured rather than wrong.
    if (regionCount === 0) throw new Error(`the scan sent no DescribeInstances through ${peer}: its calls went to another endpoint`);
    const times = (x: number): string => `${(x / s.median).toFixed(1)}×`;
    return {
      item: 4,
      measure: `All-region scan (${regionCount} regions, +${LATENCY_MS} ms per call, ${peer})`,
      result: `${seconds(p.median)} parallel = ${times(p.median)} one region (${seconds(s.median)}); ` +
        `${q ? `sequential ${seconds(q.median)} (${times(q.median)}); ` : ''}fan-out alone ${seconds(f.median)} (${times(f.median)})`,
      target: '≤ 2× one region\'s call',
      pass: p.median <= 2 * s.median,
      data: { latencyMs: LATENCY_MS, peer, regions: regionCount, regionsWithInstances: [...regions], callsPerScan, singleMs: s, parallelMs: p, fanOutOnlyMs: f, sequentialMs: q },
    };
  } finally {
    proxy.setLatency(0);
  }
}

/**
 * The enabled regions, asked once with a client of our own (AwsCloud keeps its list private),
 * configured from the world's environment as rig's clients are: nothing is read from process.env.
 */
async function enabledRegions(world: BenchWorld, endpoint: string): Promise<string[]> {
  const client = new EC2Client(clientConfig('EC2', REGION, { env: { ...world.rig.env, AWS_ENDPOINT_URL: endpoint } }));
  try {
    const out = await client.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : []));
  } finally {
    client.destroy();
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}
