// Integration tests need the real servers: fail fast, naming what is missing, instead of
// letting every suite time out. `npm test` starts them (tools/stack/stack.sh up).
const net = require('node:net');

function reachable(hostPort) {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port), timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

module.exports = async () => {
  const pg = new URL(process.env.DATABASE_URL || 'postgres://lapse:lapse@127.0.0.1:5432/lapse');
  const needs = {
    postgres: `${pg.hostname}:${pg.port || 5432}`,
    kafka: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',')[0],
    temporal: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
  };
  const down = [];
  for (const [name, addr] of Object.entries(needs)) if (!(await reachable(addr))) down.push(`${name} (${addr})`);
  if (down.length) {
    throw new Error(`integration tests need running servers; not reachable: ${down.join(', ')}. Run: npm run stack -- up`);
  }
};
