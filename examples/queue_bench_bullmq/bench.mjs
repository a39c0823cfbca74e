// The BullMQ side of staunch's `queue_bench` example: the same measurements, against the same
// redis-server, printed as one JSON line for the Rust program to read.
//
//   node bench.mjs <port> enqueue <n>            add() one by one          -> {"rate": jobs/s}
//   node bench.mjs <port> bulk <calls> <size>    addBulk() of <size> jobs  -> {"rate": jobs/s}
//   node bench.mjs <port> worker <conc> <n>      a worker draining <n>     -> {"rate": jobs/s}
//   node bench.mjs <port> latency <samples>      add() to processor start  -> {"p50_us", "p99_us"}
//
// Each run uses a fresh queue name; BullMQ's defaults otherwise (completed jobs are kept, as
// staunch keeps them for its result TTL). `queue_bench` runs `npm install` here when
// `node_modules` is missing.

import { Queue, Worker } from 'bullmq';

const [port, mode, ...args] = process.argv.slice(2);
const connection = { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null };
const name = `bench-${mode}-${Math.random().toString(16).slice(2)}`;
const queue = new Queue(name, { connection });
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

// Connected, scripts loaded and the JIT warm before the clock starts: staunch's side is measured
// on a connected store in a warm process too.
async function warmUp() {
  await queue.waitUntilReady();
  for (let i = 0; i < 300; i++) await queue.add('warm-up', { n: i });
  await queue.addBulk(Array.from({ length: 100 }, (_, i) => ({ name: 'warm-up', data: { n: i } })));
  await queue.obliterate({ force: true });
}

async function enqueue(n) {
  await warmUp();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    await queue.add('bench', { n: i });
  }
  return { rate: n / seconds(start) };
}

async function bulk(calls, size) {
  await warmUp();
  const start = process.hrtime.bigint();
  for (let c = 0; c < calls; c++) {
    const jobs = [];
    for (let i = 0; i < size; i++) jobs.push({ name: 'bench', data: { n: i } });
    await queue.addBulk(jobs);
  }
  return { rate: (calls * size) / seconds(start) };
}

async function worker(concurrency, n) {
  for (let done = 0; done < n; done += 1000) {
    const jobs = [];
    for (let i = done; i < Math.min(n, done + 1000); i++) jobs.push({ name: 'noop', data: i });
    await queue.addBulk(jobs);
  }
  let completed = 0;
  let finish;
  const all = new Promise((resolve) => (finish = resolve));
  const start = process.hrtime.bigint();
  const w = new Worker(name, async () => {}, { connection, concurrency });
  w.on('completed', () => {
    completed += 1;
    if (completed === n) finish();
  });
  await all;
  const rate = n / seconds(start);
  await w.close();
  return { rate };
}

async function latency(samples) {
  let started;
  const w = new Worker(
    name,
    async () => {
      started(process.hrtime.bigint());
    },
    { connection, concurrency: 1 },
  );
  await w.waitUntilReady();
  await new Promise((r) => setTimeout(r, 100));
  const micros = [];
  for (let i = 0; i < samples; i++) {
    const ran = new Promise((resolve) => (started = resolve));
    const sent = process.hrtime.bigint();
    await queue.add('ping', i);
    const at = await ran;
    micros.push(Number(at - sent) / 1e3);
    // Let the worker finish and go idle again.
    await new Promise((r) => setTimeout(r, 3));
  }
  await w.close();
  micros.sort((a, b) => a - b);
  const pick = (p) => micros[Math.round((micros.length - 1) * p)];
  return { p50_us: pick(0.5), p99_us: pick(0.99) };
}

const modes = { enqueue, bulk, worker, latency };
if (!modes[mode]) {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
const result = await modes[mode](...args.map(Number));
await queue.obliterate({ force: true }).catch(() => {});
await queue.close();
console.log(JSON.stringify(result));
process.exit(0);
