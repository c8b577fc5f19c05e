//! Reading a file argument, where `-` means standard input.

use std::io::Read;
use std::path::Path;

use anyhow::Context;

/// The most we read from one input: GitHub's own body limit is far below it.
const MAX_INPUT_BYTES: u64 = 25 * 1024 * 1024;

/// Reads `path` (or stdin for `-`) as UTF-8 text.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .context("reading standard input")?;
    } else {
        std::fs::File::open(path)
            .with_context(|| format!("opening {}", path.display()))?
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
    }
    anyhow::ensure!(
        buf.len() as u64 <= MAX_INPUT_BYTES,
        "{} is larger than {} MiB",
        path.display(),
        MAX_INPUT_BYTES / 1024 / 1024
    );
    String::from_utf8(buf).with_context(|| format!("{} is not UTF-8 text", path.display()))
}
