// Preloaded with `--require` (NODE_OPTIONS refuses `--cpu-prof`): records a V8 CPU profile of the
// process and writes it to $LAPSE_CPU_PROFILE_DIR (chrome://inspect or speedscope open it). Used
// by the benches' `--profile <dir>` (bench/lib/cpu-profile-env.ts).
//
// - The main thread: `<pid>.cpuprofile`, written when the process exits.
// - Worker threads (NODE_OPTIONS preloads this in every thread, e.g. the Temporal SDK's workflow
//   thread, where the grant workflow's code runs): `<pid>-thread<id>-<n>.cpuprofile`, one every
//   $LAPSE_CPU_PROFILE_CHUNK_MS (10 s), because the SDK terminates its threads, which runs no exit
//   handler there; at most the last chunk is lost. `summarizeCpuProfiles` adds chunks up.
'use strict';
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { isMainThread, threadId } = require('node:worker_threads');

const dir = process.env.LAPSE_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  const write = (name, profile) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), JSON.stringify(profile));
  };
  if (isMainThread) {
    process.on('exit', () => {
      // An in-process inspector session answers synchronously, so this runs before the exit.
      session.post('Profiler.stop', (err, result) => {
        if (!err) write(`${process.pid}.cpuprofile`, result.profile);
      });
    });
  } else {
    let chunk = 0;
    const every = Number(process.env.LAPSE_CPU_PROFILE_CHUNK_MS) || 10_000;
    setInterval(() => {
      session.post('Profiler.stop', (err, result) => {
        if (!err) write(`${process.pid}-thread${threadId}-${chunk++}.cpuprofile`, result.profile);
        session.post('Profiler.start');
      });
    }, every).unref();
  }
}
