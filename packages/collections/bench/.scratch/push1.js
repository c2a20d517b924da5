const { LargeVec } = require("@lgalloc/collections");
const { stats } = require("@lgalloc/core");
const N = 50_000_000;
let sink = 0;
function grow() { const v = new LargeVec(Float64Array); for (let i = 0; i < N; i++) v.push(i * 0.5); sink += v.get(N - 1); v.dispose(); }
function presized() { const v = LargeVec.withCapacity(Float64Array, N); for (let i = 0; i < N; i++) v.push(i * 0.5); sink += v.get(N - 1); v.dispose(); }
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; sink += a[N - 1]; }
const fa = new Float64Array(N);
const t = (f) => { const s = process.hrtime.bigint(); const r0 = process.resourceUsage(); f(); const r1 = process.resourceUsage(); return `${(Number(process.hrtime.bigint() - s) / 1e6).toFixed(0)}ms (sys ${((r1.systemCPUTime - r0.systemCPUTime)/1000).toFixed(0)}ms, minflt ${r1.minorPageFault - r0.minorPageFault})`; };
for (let r = 0; r < 6; r++) console.log("grow", t(grow), "| presized", t(presized), "| floor", t(() => floor(fa)));
const s = stats(); console.log(s.totals.allocations, s.totals.refill, s.mappedBytes / 2**20, s.sizeClasses.map(c => c.cleanRegions + "/" + c.globalRegions + "/" + c.threadRegions).join(" "));
