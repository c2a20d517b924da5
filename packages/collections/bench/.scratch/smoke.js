const { LargeVec } = require("@lgalloc/collections");
const util = require("util");
const v = new LargeVec(Float64Array, 3);
v.set(0, 1).set(1, 2.5);
v.push(7, 8);
console.log(String(v), v.length, v.capacity, v.storage);
for (let i = 0; i < 300000; i++) v.push(i);
console.log(util.inspect(v), v.storage, v.capacity);
v.shrinkToFit(); console.log(v.capacity, v.storage);
v.truncate(10); v.shrinkToFit(); console.log(util.inspect(v), [...v].length);
const b = LargeVec.from(BigInt64Array, [1n, 2n, 3n]);
console.log(String(b), b.indexOf(2n), b.includes(3n));
try { b.push(1) } catch (e) { console.log(e.name, e.code, e.message) }
try { v.get(100) } catch (e) { console.log(e.name, e.code, e.message) }
try { v.get("1") } catch (e) { console.log(e.name, e.code, e.message) }
const c = LargeVec.from(Uint8ClampedArray, [300, -5, 1.5, 2.5]); console.log(String(c));
c.sort().reverse(); console.log(String(c));
v.dispose(); console.log(util.inspect(v)); try { v.length } catch (e) { console.log(e.name, e.code, e.message) }
const t = LargeVec.from(Int16Array, [1,2,3]).transfer(); console.log(t);
const a = LargeVec.adopt(t); console.log(String(a));
try { LargeVec.adopt(t) } catch (e) { console.log(e.code, e.message) }
console.log(LargeVec.isLargeVec(a), LargeVec.isLargeVec(LargeVec.prototype), LargeVec.isLargeVec(Object.create(a)));
