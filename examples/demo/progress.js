// Progress of the demo's stages: bars (cli-progress) on a terminal, plain lines otherwise
// (CI, a pipe), so that logs stay readable.
"use strict";

function createProgress() {
  const interactive = process.stdout.isTTY && process.env.CI !== "true";
  if (!interactive) {
    return {
      start(name) {
        console.log(`${name} ...`);
        return { update() {}, stop() {} };
      },
    };
  }
  const cliProgress = require("cli-progress");
  return {
    start(name, total) {
      const bar = new cliProgress.SingleBar(
        {
          format: `${name.padEnd(34)} [{bar}] {percentage}%`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return { update: (value) => bar.update(value), stop: () => bar.stop() };
    },
  };
}

module.exports = { createProgress };
