"use strict";
const N = 50_000_000;
const pre = new Float64Array(N);
class D { // private, no arguments
  #a; #len = 0; #fast;
  constructor(n) { this.#a = pre; this.#fast = n; }
  push(value) {
    const len = this.#len;
    if (len < this.#fast && typeof value === "number") {
      this.#a[len] = value; return (this.#len = len + 1);
    }
    return this.slow(value);
  }
  slow() { throw new Error("slow"); }
}
class E { // public, no arguments
  constructor(n) { this.a = pre; this.len = 0; this.fast = n; }
  push(value) {
    const len = this.len;
    if (len < this.fast && typeof value === "number") {
      this.a[len] = value; return (this.len = len + 1);
    }
    return this.slow(value);
  }
  slow() { throw new Error("slow"); }
}
class F { // private, arguments.length
  #a; #len = 0; #fast;
  constructor(n) { this.#a = pre; this.#fast = n; }
  push(value) {
    const len = this.#len;
    if (len < this.#fast && arguments.length === 1 && typeof value === "number") {
      this.#a[len] = value; return (this.#len = len + 1);
    }
    return this.slow(value);
  }
  slow() { throw new Error("slow"); }
}
function floor() { for (let i = 0; i < N; i++) pre[i] = i * 0.5; }
function runD() { const v = new D(N); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function runE() { const v = new E(N); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
function runF() { const v = new F(N); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
const cases = { floor, D: runD, E: runE, F: runF };
const res = {};
for (let r = 0; r < 7; r++) for (const [k, f] of Object.entries(cases)) {
  const t = process.hrtime.bigint(); f(); (res[k] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, v[3].toFixed(1)); }
function floor2(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; return a; }
const res2 = [];
for (let r = 0; r < 7; r++) { const t = process.hrtime.bigint(); floor2(pre); res2.push(Number(process.hrtime.bigint() - t) / 1e6); }
res2.sort((a,b)=>a-b); console.log("floor-param", res2[3].toFixed(1));
