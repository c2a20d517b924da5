const files = process.argv.slice(2);
const mods = files.map((f) => require(f).LargeVec);
const N = 20_000_000;
let sink = 0;
const runs = mods.map((V, k) => new Function("V", "N", "out", `return function run${k}() { const v = V.withCapacity(Float64Array, N); for (let i = 0; i < N; i++) v.push(i * 0.5); out(v.get(N - 1)); v.dispose(); }`)(V, N, (x) => { sink += x; }));
const heap = new Float64Array(N);
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; sink += a[N - 1]; }
const cases = [...runs.map((f, k) => [files[k], f]), ["floor", () => floor(heap)]];
const res = {};
for (let r = 0; r < 31; r++) for (const [k, f] of cases) {
  const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); (res[k] ??= []).push((c.user + c.system) / 1000);
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k.padEnd(16), "p25", v[7].toFixed(1), "med", v[15].toFixed(1)); }
