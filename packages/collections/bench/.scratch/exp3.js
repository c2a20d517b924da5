"use strict";
const N = 50_000_000;
class A { // private fields, arguments
  #a; #len = 0; #fast; #prim;
  constructor(n) { this.#a = pre; this.#fast = n; this.#prim = "number"; }
  push(value) {
    const len = this.#len;
    if (arguments.length === 1 && len < this.#fast && typeof value === this.#prim) {
      this.#a[len] = value; return (this.#len = len + 1);
    }
    return this.slow(arguments);
  }
  slow() { throw new Error("slow"); }
  get length() { return this.#len; }
}
class B { // public fields, rest
  constructor(n) { this._a = pre; this._fast = n; this._len = 0; this._prim = "number"; }
  push(...values) {
    const len = this._len;
    if (values.length === 1) { const value = values[0];
    if (len < this._fast && typeof value === this._prim) {
      this._a[len] = value; return (this._len = len + 1);
    }}
    return this.slow(values);
  }
  slow() { throw new Error("slow"); }
}
class C { // private fields, single param, bigint flag
  #a; #len = 0; #fast; #big;
  constructor(n) { this.#a = pre; this.#fast = n; this.#big = false; }
  push(value) {
    const len = this.#len;
    if (len < this.#fast && arguments.length === 1 && (typeof value === "number" ? !this.#big : (typeof value === "bigint" && this.#big))) {
      this.#a[len] = value; return (this.#len = len + 1);
    }
    return this.slow(arguments);
  }
  slow() { throw new Error("slow"); }
}
const pre = new Float64Array(N);
function floor() { for (let i = 0; i < N; i++) pre[i] = i * 0.5; }
function run(Cls) { const v = new Cls(N); for (let i = 0; i < N; i++) v.push(i * 0.5); return v; }
const cases = { floor, A: () => run(A), B: () => run(B), C: () => run(C) };
const res = {};
for (let r = 0; r < 7; r++) for (const [k, f] of Object.entries(cases)) {
  const t = process.hrtime.bigint(); f(); (res[k] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, v[3].toFixed(1)); }
