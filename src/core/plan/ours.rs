//! Recognising the part of an issue body vayu wrote itself
//! (`<!-- vayu:begin -->` … `<!-- vayu:end -->`), which parsers must skip.

/// Tracks, over a stream of Markdown HTML events, whether we are inside our own block.
#[derive(Debug, Default)]
pub(crate) struct OursTracker {
    inside: bool,
}

impl OursTracker {
    /// Feeds the text of an HTML event.
    pub(crate) fn see_html(&mut self, html: &str) {
        let begin = html.rfind("<!-- vayu:begin");
        let end = html.rfind("<!-- vayu:end");
        match (begin, end) {
            (Some(b), Some(e)) => self.inside = b > e,
            (Some(_), None) => self.inside = true,
            (None, Some(_)) => self.inside = false,
            (None, None) => {}
        }
    }

    /// Whether the current position is inside our own block.
    pub(crate) fn inside(&self) -> bool {
        self.inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_begin_and_end() {
        let mut t = OursTracker::default();
        t.see_html("<p>");
        assert!(!t.inside());
        t.see_html("<!-- vayu:begin -->\n");
        assert!(t.inside());
        t.see_html("<!-- vayu:plan v=1 hash=ab -->");
        assert!(t.inside());
        t.see_html("<!-- vayu:end -->");
        assert!(!t.inside());
        t.see_html("<!-- vayu:end --><!-- vayu:begin -->");
        assert!(t.inside());
    }
}
