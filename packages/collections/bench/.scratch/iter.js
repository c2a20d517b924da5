const { LargeVec } = require("@lgalloc/collections");
const v = new LargeVec(Uint8Array, 100_000_000);
v.set(5, 3);
for (let r = 0; r < 3; r++) {
  let t = Date.now(); let s = 0; for (const x of v) s += x; console.log("values", Date.now() - t, "ms", s);
  t = Date.now(); s = 0; for (const x of v.view()) s += x; console.log("typed", Date.now() - t, "ms", s);
}
