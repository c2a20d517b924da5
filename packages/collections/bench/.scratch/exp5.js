"use strict";
const N = 20_000_000;
const store = new Float64Array(N);
function mk(kind) {
  if (kind === 1) return class { #a = store; #len = 0; #fast = N; #prim = "number";
    push(value) { const len = this.#len;
      if (len < this.#fast && typeof value === this.#prim) { this.#a[len] = value; return (this.#len = len + 1); }
      return this.slow(value); }
    slow() { throw new Error(); } };
  if (kind === 2) return class { #a = store; #len = 0; #fast = N; #prim = "number";
    push(value) { const len = this.#len;
      if (len < this.#fast && arguments.length === 1 && typeof value === this.#prim) { this.#a[len] = value; return (this.#len = len + 1); }
      return this.slow(arguments); }
    slow() { throw new Error(); } };
  if (kind === 3) return class { #a = store; #len = 0; #fast = N; #prim = "number";
    push(...values) { const len = this.#len;
      if (len < this.#fast && values.length === 1) { const value = values[0]; if (typeof value === this.#prim) { this.#a[len] = value; return (this.#len = len + 1); }}
      return this.slow(values); }
    slow() { throw new Error(); } };
  if (kind === 4) return class { #a = store; #len = 0; #fast = N; #prim = "number";
    push(value) { const len = this.#len;
      if (len < this.#fast && arguments.length === 1 && typeof value === this.#prim) { this.#a[len] = value; return (this.#len = len + 1); }
      const n = arguments.length; const vals = []; for (let i = 0; i < n; i++) vals.push(arguments[i]); return this.slow(vals); }
    slow() { throw new Error(); } };
  if (kind === 5) return class { #a = store; #len = 0; #fast = N; #big = false;
    push(value) { const len = this.#len;
      if (len < this.#fast && arguments.length === 1 && typeof value === "number" && !this.#big) { this.#a[len] = value; return (this.#len = len + 1); }
      return this.slow(arguments); }
    slow() { throw new Error(); } };
}
const classes = [1, 2, 3, 4, 5].map(mk);
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; }
function r0() { const v = new classes[0](); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r1() { const v = new classes[1](); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r2() { const v = new classes[2](); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r3() { const v = new classes[3](); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r4() { const v = new classes[4](); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
const runs=[r0,r1,r2,r3,r4];
const cases = [["floor", () => floor(store)], ...runs.map((f, i) => [`v${i + 1}`, f])];
const res = {};
for (let r = 0; r < 15; r++) for (const [k, f] of cases) {
  const t = process.hrtime.bigint(); f(); (res[k] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, v[7].toFixed(1)); }
