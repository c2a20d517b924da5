// The machine a benchmark report was measured on: CPU model, cores, transparent huge page
// mode, kernel, Node, memory. Read from /proc and /sys on Linux; a figure that cannot be
// read is "unknown" rather than a guess.
"use strict";

const fs = require("node:fs");
const os = require("node:os");

function readOr(file, fallback = "unknown") {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return fallback;
  }
}

/** The bracketed choice of a /sys setting such as `always [madvise] never`. */
function selected(setting) {
  const match = /\[([^\]]+)\]/.exec(setting);
  return match ? match[1] : setting;
}

function cpuModel() {
  const match = /^model name\s*:\s*(.+)$/m.exec(readOr("/proc/cpuinfo", ""));
  return match ? match[1].trim() : (os.cpus()[0]?.model ?? "unknown");
}

/** The facts the report starts with. */
function describeMachine() {
  const thp = "/sys/kernel/mm/transparent_hugepage";
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    thpEnabled: selected(readOr(`${thp}/enabled`)),
    thpDefrag: selected(readOr(`${thp}/defrag`)),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg()[0],
  };
}

module.exports = { describeMachine };
