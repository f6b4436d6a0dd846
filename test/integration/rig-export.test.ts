import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: false } });

// SkyPilot's task file, as its own schemas (sky/utils/schemas.py: get_task_schema and
// get_resources_schema) name and type the fields this export writes; strict, as SkyPilot refuses
// unknown keys (additionalProperties: False) in both.
const INFRA = /^(?:aws|gcp|azure|lambda|kubernetes|runpod|oci|nebius)(?:\/[^/]+(?:\/[^/]+)?)?$/i;
const SkyPilotResources = z.strictObject({
  infra: z.string().regex(INFRA).optional(),
  instance_type: z.string().optional(),
  accelerators: z.union([z.string(), z.record(z.string(), z.number().nullable())]).optional(),
  use_spot: z.boolean().optional(),
  disk_size: z.union([z.number().int(), z.string().regex(/^\d+(?:\.\d+)?[kKmMgGtTpP]?[bB]?$/)]).optional(),
  image_id: z.union([z.string(), z.record(z.string(), z.string()), z.null()]).optional(),
  autostop: z.union([z.boolean(), z.number().int(), z.strictObject({ idle_minutes: z.number().int().min(0).optional(), down: z.boolean().optional() })]).optional(),
});
const SkyPilotTask = z.strictObject({
  name: z.string().optional(),
  workdir: z.string().optional(),
  num_nodes: z.number().int().optional(),
  resources: SkyPilotResources.optional(),
  file_mounts: z.record(z.string(), z.string()).optional(),
  setup: z.string().optional(),
  run: z.string().optional(),
  envs: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string().nullable()).optional(),
});

const SETUP = '#!/bin/bash\nset -euo pipefail\necho "setting up: $HOSTNAME" > ~/setup.txt\npip install -r requirements.txt  # a comment: kept\n';

async function exported(args: readonly string[]): Promise<z.infer<typeof SkyPilotTask>> {
  const result = await world.rig(['export', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return SkyPilotTask.parse(parse(result.stdout));
}

describe('rig export --skypilot', () => {
  it('writes a task SkyPilot\'s schema accepts that launches what rig up launches: region, type, the same AMI, disk, market, idle stop, setup and project folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudrig-export-'));
    const script = join(dir, 'setup.sh');
    await writeFile(script, SETUP);
    expect((await world.rig(initArgs(world, ['--disk', '150', '--setup', script]))).code).toBe(0);
    // The folder the app pushes (chosen in the popover), as the app saves it.
    const settingsPath = join(world.home, 'settings.json');
    const settings = JSON.parse(await readFile(settingsPath, 'utf8')) as Record<string, unknown>;
    await writeFile(settingsPath, JSON.stringify({ ...settings, projectFolders: { gpu: { local: '/home/me/my project', remote: 'my-project', pushOnStart: false } } }));

    const task = await exported(['gpu', '--skypilot']);
    expect(task).toEqual({
      name: 'gpu',
      num_nodes: 1,
      resources: { infra: 'aws/us-east-1', instance_type: 'g4dn.xlarge', use_spot: false, disk_size: 150, image_id: expect.stringMatching(/^ami-/), autostop: { idle_minutes: 60 } },
      file_mounts: { '~/my-project': '/home/me/my project' },
      setup: SETUP,
    });

    // The AMI is the one a launch uses: rig up launches from exactly that image.
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const ec2 = world.ec2();
    const described = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:cloudrig:workstation', Values: ['gpu'] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
    ec2.destroy();
    expect(described.Reservations?.[0]?.Instances?.[0]?.ImageId).toBe(task.resources?.image_id);
  });

  it('--nodes and --gpus carry over to num_nodes and accelerators (SkyPilot then picks the type), and spot to use_spot', async () => {
    expect((await world.rig(initArgs(world, ['--spot']))).code).toBe(0);
    const task = await exported(['--skypilot', '--nodes', '4', '--gpus', 'A10G:4']);
    expect(task.num_nodes).toBe(4);
    expect(task.resources).toMatchObject({ accelerators: 'A10G:4', use_spot: true });
    expect(task.resources).not.toHaveProperty('instance_type');
    expect(task).not.toHaveProperty('setup');
    expect(task).not.toHaveProperty('file_mounts');
  });

  it('refuses bad input with the fix: no format, a GPU spec that is not MODEL:COUNT, a node count that is not a whole number', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const noFormat = await world.rig(['export']);
    expect(noFormat.code).toBe(1);
    expect(noFormat.stderr).toMatch(/Say which format to export\. Fix: .*--skypilot/);
    const gpus = await world.rig(['export', '--skypilot', '--gpus', 'A10G:4; rm -rf ~']);
    expect(gpus.code).not.toBe(0);
    expect(gpus.stderr).toMatch(/"A10G:4; rm -rf ~" is not a GPU model with an optional count\. Fix: .*A10G:4/);
    const nodes = await world.rig(['export', '--skypilot', '--nodes', '0']);
    expect(nodes.code).not.toBe(0);
    expect(nodes.stderr).toMatch(/"0" is not a whole number from 1 to 512/);
  });
});
