// Version of the lgalloc allocator core. The binding reports it through `version()` so
// that JS can tell which core an addon was built from. The numbering follows the Rust
// crate it ports (0.7) with a `-node.N` suffix for this port's own revisions of the core.
#pragma once

#define LGALLOC_CORE_VERSION "0.7.0-node.1"
