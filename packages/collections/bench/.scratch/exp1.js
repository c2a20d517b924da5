const { allocate, backendKind } = require("@lgalloc/core");
const N = 50_000_000;
function floor(a) { for (let i = 0; i < N; i++) a[i] = i * 0.5; return a; }
const pre = new Float64Array(N);
for (let r = 0; r < 5; r++) {
  let t = process.hrtime.bigint();
  floor(pre);
  const tf = Number(process.hrtime.bigint() - t) / 1e6;
  // doubling copy cost with regions
  t = process.hrtime.bigint();
  let cap = 2 ** 21, reg = allocate(cap), copied = 0;
  while (cap < N * 8) {
    const n = allocate(cap * 2);
    new Float64Array(n.buffer).set(new Float64Array(reg.buffer));
    copied += cap;
    reg.dispose(); reg = n; cap *= 2;
  }
  const tc = Number(process.hrtime.bigint() - t) / 1e6;
  reg.dispose();
  console.log(backendKind(), "floor", tf.toFixed(1), "ms; copies", tc.toFixed(1), "ms", copied / 2**20, "MiB");
}
