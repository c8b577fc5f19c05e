//! The `vayu` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

// glibc's malloc spent ~12% of the webhook path's CPU on the 14 KB bodies and
// their many small strings (`bench/ingest.sh`); mimalloc's per-thread heaps halve that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    vayu::cli::main()
}
