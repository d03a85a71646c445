// Process-wide malloc tuning, called first thing by qledger's programs (CLI, daemon, the report
// benchmark). A report builds and frees hundreds of thousands of small objects (payload values,
// registry maps) and then allocates large arrays; glibc's fastbins defer coalescing the small
// frees until the next large allocation, which then pays for all of them at once
// (malloc_consolidate: 20–35 ms of a month's report at 9M events). With fastbins off — the
// per-thread cache still serves small sizes — a month's report is ~10 % faster (bench/README.md).
// The price: about 1 µs more per append (append_bench's leaf-encoding step 3.6 → 4.7 µs, of
// ~26 µs CPU per event in the ledger core and ~100 µs with the domain rules).
#pragma once

namespace qledger {

// Turns glibc's fastbins off (mallopt M_MXFAST 0). Harmless elsewhere: does nothing under other
// allocators or the sanitizers.
void tune_allocator();

}  // namespace qledger
