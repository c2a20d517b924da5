"use strict";
const N = 20_000_000;
const store = new Float64Array(N);
const C1 = class { #a = store; #len = 0; #fast = N; #prim = "number";
    push(value) { const len = this.#len;
      if (len < this.#fast && typeof value === this.#prim) { this.#a[len] = value; return (this.#len = len + 1); }
      return this.slow(value); }
    slow() { throw new Error(); } };
const C2 = class { #a = store; #len = 0; #fast = N;
    push(value) { const len = this.#len;
      if (len < this.#fast && typeof value === "number") { this.#a[len] = value; return (this.#len = len + 1); }
      return this.slow(value); }
    slow() { throw new Error(); } };
const C3 = class { #a = store; #len = 0; #fast = N;
    push(value) { const len = this.#len;
      if (len < this.#fast) { this.#a[len] = value; return (this.#len = len + 1); }
      return this.slow(value); }
    slow() { throw new Error(); } };
const C4 = class { constructor() { this.a = store; this.len = 0; this.fast = N; }
    push(value) { const len = this.len;
      if (len < this.fast && typeof value === "number") { this.a[len] = value; return (this.len = len + 1); }
      return this.slow(value); }
    slow() { throw new Error(); } };
const C5 = class { #a = store; #len = 0;
    push(value) { const len = this.#len; const a = this.#a;
      if (len < a.length && typeof value === "number") { a[len] = value; this.#len = len + 1; return len + 1; }
      return this.slow(value); }
    slow() { throw new Error(); } };
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; }
function r1() { const v = new C1(); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r2() { const v = new C2(); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r3() { const v = new C3(); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r4() { const v = new C4(); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function r5() { const v = new C5(); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function floor2(a) { let len = 0; for (let i = 0; i < N; i++) { if (len < a.length) { a[len] = i * 0.5; len++; } } }
const cases = [["floor", () => floor(store)], ["floor2", () => floor2(store)], ["v1", r1], ["v2", r2], ["v3", r3], ["v4", r4], ["v5", r5]];
const res = {};
for (let r = 0; r < 15; r++) for (const [k, f] of cases) {
  const t = process.hrtime.bigint(); f(); (res[k] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, v[7].toFixed(1)); }
