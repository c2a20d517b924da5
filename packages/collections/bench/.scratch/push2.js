const { LargeVec } = require("@lgalloc/collections");
const { allocate } = require("@lgalloc/core");
const N = 20_000_000;
let sink = 0;
const region = allocate(N * 8);
const ext = new Float64Array(region.buffer, 0, N);
const heap = new Float64Array(N);
class C1 { #a; #len = 0; #fast; #prim = "number";
  constructor(a) { this.#a = a; this.#fast = a.length; }
  push(value) { const len = this.#len;
    if (len < this.#fast && arguments.length === 1 && typeof value === this.#prim) { this.#a[len] = value; return (this.#len = len + 1); }
    return this.slow(arguments); }
  slow() { throw new Error(); } };
function presized() { const v = LargeVec.withCapacity(Float64Array, N); for (let i = 0; i < N; i++) v.push(i * 0.5); sink += v.get(N - 1); v.dispose(); }
function c1ext() { const v = new C1(ext); for (let i = 0; i < N; i++) v.push(i * 0.5); sink += v.length; }
function c1heap() { const v = new C1(heap); for (let i = 0; i < N; i++) v.push(i * 0.5); sink += v.length; }
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; sink += a[N - 1]; }
const cases = { presized, c1ext, c1heap, floorExt: () => floor(ext), floorHeap: () => floor(heap) };
const res = {};
for (let r = 0; r < 11; r++) for (const [k, f] of Object.entries(cases)) {
  const t = process.hrtime.bigint(); f(); (res[k] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, v[5].toFixed(1)); }
