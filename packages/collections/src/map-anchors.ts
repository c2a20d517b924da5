// Objects the package keeps alive for as long as it is loaded, so that V8 keeps their maps.
//
// V8 holds the maps (hidden classes) a class's instances move through while their fields
// are added only weakly, from the transitions of the class's initial map. In a program where
// no instance is alive during a full garbage collection (one that makes one large vector or
// builds one table at a time, and collects garbage in between), the collection frees those
// maps, and with them every optimized function that relied on them: the user's push or
// append loop and the methods it inlined are deoptimized ("reason: weak objects") and
// compiled again for the next instance, which then runs ~1.4x as long (issue 8;
// test/src/large-vec-optimizer.test.ts). An instance kept here holds its maps strongly.
//
// Only objects made without running their methods belong here: an anchor that has been
// used puts its shapes into the feedback of every method it ran. Columns of every kind,
// each with a few values appended, made `append` polymorphic for every program and slowed
// a 10M-row appendRow build 1.3x (measured, issue 10), so columns are not anchored.

const anchors: object[] = [];

/** Keeps `objects` alive until the process ends (they should be small). */
export function keepMapsAlive(...objects: object[]): void {
  anchors.push(...objects);
}
