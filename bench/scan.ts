import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { seconds, summary, type Row } from './report.js';
import { REGION, type BenchWorld } from './world.js';

/** A near region's round trip, and a far one's (e.g. a laptop in Europe asking ap-southeast-2). */
const LATENCIES_MS = [100, 300];
const REPEATS = 5;
const SEQUENTIAL_REPEATS = 2;

/**
 * Item 4. With the proxy adding a fixed latency to every call, times one region's
 * DescribeInstances (`scanRegion`), the all-region scan as CloudRig runs it (regions in parallel,
 * overlapping DescribeRegions) and the same scan one region after another. moto answers the
 * parallel requests one after another, which the +100 ms row feels most; the +300 ms row is
 * closer to what a laptop sees from far regions.
 */
export async function measureScan(world: BenchWorld): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [index, latency] of LATENCIES_MS.entries()) rows.push(await measureAt(world, latency, index === 0));
  return rows;
}

async function measureAt(world: BenchWorld, LATENCY_MS: number, withSequential: boolean): Promise<Row> {
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
      if (withSequential && i < SEQUENTIAL_REPEATS) sequential.push(await timed(() => cloud.scan({ sequential: true })));
    }
    const s = summary(single);
    const p = summary(parallel);
    const f = summary(fanOut);
    const q = sequential.length ? summary(sequential) : null;
    const regionCount = callsPerScan.DescribeInstances ?? 0;
    const times = (x: number): string => `${(x / s.median).toFixed(1)}×`;
    return {
      item: 4,
      measure: `All-region scan (${regionCount} regions, +${LATENCY_MS} ms per call)`,
      result: `${seconds(p.median)} parallel = ${times(p.median)} one region (${seconds(s.median)}); ` +
        `${q ? `sequential ${seconds(q.median)} (${times(q.median)}); ` : ''}fan-out alone ${seconds(f.median)} (${times(f.median)})`,
      target: '≤ 2× one region\'s call',
      pass: p.median <= 2 * s.median,
      data: { latencyMs: LATENCY_MS, regions: regionCount, regionsWithInstances: [...regions], callsPerScan, singleMs: s, parallelMs: p, fanOutOnlyMs: f, sequentialMs: q },
    };
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
