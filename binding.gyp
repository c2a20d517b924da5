# node-gyp build of the lgalloc addon (build/Release/lgalloc.node): the thin binding in
# native/binding (every .cc file there) plus every allocator core source in native/core/src. The core's tests and
# benchmark are built separately with CMake (native/CMakeLists.txt, scripts/native.js).
{
  # Link-time optimisation (issue 13): the binding's allocate and dispose calls reach the
  # core's hot paths across translation units, and LTO inlines them as the core's own
  # benchmark is built (native/CMakeLists.txt). `node-gyp configure -- -Dlgalloc_lto=0`
  # builds without it.
  "variables": { "lgalloc_lto%": 1 },
  "targets": [
    {
      "target_name": "lgalloc",
      # The core's sources are globbed so that new files need no edit here; the glob
      # yields nothing while native/core/src is missing. Re-run node-gyp configure (any
      # `npm run build:addon` does) after adding a file.
      "sources": [
        "<!@(node -p \"require('fs').readdirSync('native/binding').filter(f=>f.endsWith('.cc')).sort().map(f=>'native/binding/'+f).join(' ')\")",
        "<!@(node -p \"const fs=require('fs');fs.existsSync('native/core/src')?fs.readdirSync('native/core/src').filter(f=>f.endsWith('.cc')).sort().map(f=>'native/core/src/'+f).join(' '):''\")"
      ],
      "include_dirs": ["native/core/include"],
      # Plain Node-API (node_api.h, from the Node headers), not node-addon-api: see
      # native/binding/js.h for why. C++ exceptions are turned back on (common.gypi
      # disables them): the binding unwinds to its boundary with them.
      "defines": ["NAPI_VERSION=9"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      # -std=c++20 comes after common.gypi's -std=gnu++17 and wins. -fvisibility=hidden: the
      # module exports only its init function (NAPI_MODULE_INIT marks it visible), so calls
      # inside the addon are direct and LTO may inline them, instead of going through the
      # PLT because another library could interpose them (issue 13: HandleTable::find@plt
      # on every allocate and dispose).
      "cflags_cc": ["-std=c++20", "-O2", "-fno-omit-frame-pointer", "-Wall", "-Wextra", "-fexceptions",
                    "-fvisibility=hidden"],
      "libraries": ["-lpthread"],
      # Never unloaded: Node dlcloses an addon when the last environment that loaded it (a
      # worker, if the main thread never did) goes away, but the process-wide allocator's
      # background thread, and backing-store deleters that V8 runs later on its own
      # threads, still execute this file's code (a terminated worker crashed the process).
      "ldflags": ["-Wl,-z,nodelete"],
      "conditions": [
        ["lgalloc_lto==1", {
          "cflags_cc": ["-flto=auto", "-fno-fat-lto-objects"],
          # The link step runs the optimiser, so it needs the same optimisation flags.
          "ldflags": ["-flto=auto", "-O2"]
        }]
      ]
    }
  ]
}
