const { LargeVec } = require("./large-vec.js");
const N = 20_000_000;
let sink = 0;
function presized() { const v = LargeVec.withCapacity(Float64Array, N); for (let i = 0; i < N; i++) v.push(i * 0.5); sink += v.get(N - 1); v.dispose(); }
for (let r = 0; r < 3; r++) presized();
