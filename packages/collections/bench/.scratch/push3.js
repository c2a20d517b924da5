const variants = { base: require("./large-vec.js").LargeVec, v1a: require("./lv-v1a.js").LargeVec, v1b: require("./lv-v1b.js").LargeVec, v1c: require("./lv-v1c.js").LargeVec };
const N = 20_000_000;
let sink = 0;
const heap = new Float64Array(N);
function mk(V) { return new Function("V", "N", "sinkf", `return function () { const v = V.withCapacity(Float64Array, N); for (let i = 0; i < N; i++) v.push(i * 0.5); sinkf(v.get(N - 1)); v.dispose(); }`)(V, N, (x) => { sink += x; }); }
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; sink += a[N - 1]; }
const cases = Object.fromEntries(Object.entries(variants).map(([k, V]) => [k, mk(V)]));
cases.floor = () => floor(heap);
const res = {};
for (let r = 0; r < 21; r++) for (const [k, f] of Object.entries(cases)) {
  const t = process.hrtime.bigint(); f(); (res[k] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, v[10].toFixed(1)); }
