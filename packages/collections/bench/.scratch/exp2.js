const N = 50_000_000;
function floor(a, n) { for (let i = 0; i < n; i++) a[i] = i * 0.5; return a; }
const pre = new Float64Array(N);
const small = new Float64Array(1 << 16);
for (let r = 0; r < 6; r++) {
  let t = process.hrtime.bigint();
  floor(pre, N);
  const tf = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  for (let k = 0; k < N / 65536; k++) floor(small, 65536);
  const ts = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  pre.fill(1.5);
  const tfill = Number(process.hrtime.bigint() - t) / 1e6;
  console.log("floor", tf.toFixed(1), "in-cache", ts.toFixed(1), "fill", tfill.toFixed(1));
}
