/**
 * Replays every recorded history in __fixtures__ against the current workflow code, so a change
 * that breaks determinism for running grants fails CI. Re-record after an intended, versioned
 * change: LAPSE_RECORD_HISTORY=1 npx jest -c jest.integration.config.js libs/grant-workflow -t tour
 * — and keep the previous recording under a versioned name: histories of running grants are
 * still that shape. access-grant-tour-v1: before the `admin-unlock-recorded-by-activity` patch;
 * access-grant-tour: before `independent-effect-lanes` and `fresh-grant-version-epoch`;
 * access-grant-tour-v3: with them; access-grant-regrant: a run given again while ending
 * (`regrant-after-end-starts-next-run`), which continues as new. access-grant-tour-v4 and
 * access-grant-regrant-v2: with `state-published-locally-search-attributes-from-starter` (the
 * state published by a local activity, no search attributes upserted at the start).
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { installQuietTemporalRuntime } from '@lapse/testing';
import { buildWorkflowBundleFile, historyFromFixture } from './testing/grant-harness';

const dir = join(__dirname, '__fixtures__');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.history.json'));
let bundlePath: string;
let bundle: { codePath: string };

beforeAll(async () => {
  installQuietTemporalRuntime();
  bundlePath = await buildWorkflowBundleFile();
  bundle = { codePath: bundlePath };
});
afterAll(() => bundlePath && rmSync(bundlePath, { force: true }));

it('has recorded histories to replay', () => {
  expect(fixtures.length).toBeGreaterThan(0);
});

it.each(fixtures)('replays %s deterministically', async (file) => {
  const history = historyFromFixture(readFileSync(join(dir, file), 'utf8'));
  await expect(
    Worker.runReplayHistory({ workflowBundle: bundle }, history, file),
  ).resolves.toBeUndefined();
});

const fixture = (file: string) => historyFromFixture(readFileSync(join(dir, file), 'utf8'));

it('fails on a history the code would not produce (the check is real)', async () => {
  const history = fixture('access-grant-tour-v3.history.json');
  // Rename the first scheduled activity: the code schedules something else at that point.
  const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes);
  const attrs = scheduled?.activityTaskScheduledEventAttributes;
  if (!attrs?.activityType) throw new Error('fixture has no scheduled activity');
  attrs.activityType.name = 'somethingElse';
  await expect(
    Worker.runReplayHistory({ workflowBundle: bundle }, history, 'tampered'),
  ).rejects.toBeInstanceOf(DeterminismViolationError);
});

it('fails on a history whose local publish the code would not run (the check is real)', async () => {
  const history = fixture('access-grant-tour-v4.history.json');
  // Rename the first local activity in its marker: the code runs publishGrantState there.
  const marker = history.events.find(
    (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  )?.markerRecordedEventAttributes;
  const payload = marker?.details?.data?.payloads?.[0];
  if (!payload?.data) throw new Error('fixture has no local activity');
  const data = JSON.parse(Buffer.from(payload.data).toString('utf8')) as { activity_type: string };
  expect(data.activity_type).toBe('publishGrantState');
  payload.data = Buffer.from(JSON.stringify({ ...data, activity_type: 'somethingElse' }));
  await expect(
    Worker.runReplayHistory({ workflowBundle: bundle }, history, 'tampered-local'),
  ).rejects.toBeInstanceOf(DeterminismViolationError);
});
