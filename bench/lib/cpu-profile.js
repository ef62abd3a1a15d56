// Preloaded with `--require` (NODE_OPTIONS refuses `--cpu-prof`): records a V8 CPU profile of the
// whole process and writes it to $LAPSE_CPU_PROFILE_DIR/<pid>.cpuprofile when the process exits
// (chrome://inspect or speedscope open it). Used by `npm run bench -- authz --profile <dir>`.
'use strict';
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.LAPSE_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // An in-process inspector session answers synchronously, so this runs before the exit.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
