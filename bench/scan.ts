import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { seconds, summary, type Row } from './report.js';
import { REGION, type BenchWorld } from './world.js';

const LATENCY_MS = 100;
const REPEATS = 5;
const SEQUENTIAL_REPEATS = 2;

/**
 * Item 4. With the proxy adding 100 ms to every call (a far region's round trip), times one
 * region's DescribeInstances (`scanRegion`), the all-region scan as CloudRig runs it (regions in
 * parallel, after DescribeRegions) and the same scan one region after another.
 */
export async function measureScan(world: BenchWorld): Promise<Row[]> {
  const { proxy } = world.rig.cloud;
  const cloud = world.core().cloud;
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
    const regionNames = await enabledRegions();

    const single: number[] = [];
    const parallel: number[] = [];
    const fanOut: number[] = [];
    const sequential: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      single.push(await timed(() => cloud.scanRegion(REGION)));
      parallel.push(await timed(() => cloud.scan()));
      fanOut.push(await timed(() => Promise.all(regionNames.map((region) => cloud.scanRegion(region)))));
      if (i < SEQUENTIAL_REPEATS) sequential.push(await timed(() => cloud.scan({ sequential: true })));
    }
    const s = summary(single);
    const p = summary(parallel);
    const f = summary(fanOut);
    const q = summary(sequential);
    const regionCount = callsPerScan.DescribeInstances ?? 0;
    const times = (x: number): string => `${(x / s.median).toFixed(1)}×`;
    return [{
      item: 4,
      measure: `All-region scan (${regionCount} regions, +${LATENCY_MS} ms per call)`,
      result: `${seconds(p.median)} parallel = ${times(p.median)} one region (${seconds(s.median)}); ` +
        `sequential ${seconds(q.median)} (${times(q.median)}); fan-out alone ${seconds(f.median)} (${times(f.median)})`,
      target: '≤ 2× one region\'s call',
      pass: p.median <= 2 * s.median,
      data: { latencyMs: LATENCY_MS, regions: regionCount, regionsWithInstances: [...regions], callsPerScan, singleMs: s, parallelMs: p, fanOutOnlyMs: f, sequentialMs: q },
    }];
  } finally {
    proxy.setLatency(0);
  }
}

/** The enabled regions, asked once with a client of our own (AwsCloud keeps its list private). */
async function enabledRegions(): Promise<string[]> {
  const client = new EC2Client({ region: REGION });
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
