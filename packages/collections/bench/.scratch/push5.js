const file = process.argv[2];
const { LargeVec } = require(file);
const N = 20_000_000;
let sink = 0;
function run() { const v = LargeVec.withCapacity(Float64Array, N); for (let i = 0; i < N; i++) v.push(i * 0.5); sink += v.get(N - 1); v.dispose(); }
const heap = new Float64Array(N);
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; sink += a[N - 1]; }
const res = { run: [], floor: [] }; let flt = 0;
for (let r = 0; r < 15; r++) {
  let t = process.hrtime.bigint(); const r0 = process.resourceUsage().minorPageFault; run(); flt += process.resourceUsage().minorPageFault - r0; res.run.push(Number(process.hrtime.bigint() - t) / 1e6);
  t = process.hrtime.bigint(); floor(heap); res.floor.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const med = (v) => v.sort((a, b) => a - b)[7].toFixed(1);
console.log(file, "run", med(res.run), "floor", med(res.floor), "faults", flt);
