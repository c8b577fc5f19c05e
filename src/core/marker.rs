//! TEMPORARY stub, replaced by the marker work on merge.
use crate::core::ids::{IssueNumber, TaskKey};

/// A hidden marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// In a sub-issue body.
    Task {
        parent: IssueNumber,
        key: TaskKey,
        plan: String,
    },
    /// Around the checklist.
    Plan { hash: String },
    /// In a progress comment.
    Progress { key: TaskKey },
}
/// Renders a marker.
pub fn render(m: &Marker) -> String {
    match m {
        Marker::Task { parent, key, plan } => {
            format!("<!-- vayu:task v=1 parent=#{parent} key={key} plan={plan} -->")
        }
        Marker::Plan { hash } => format!("<!-- vayu:plan v=1 hash={hash} -->"),
        Marker::Progress { key } => format!("<!-- vayu:progress key={key} -->"),
    }
}
/// Begin marker.
pub const BEGIN: &str = "<!-- vayu:begin -->";
/// End marker.
pub const END: &str = "<!-- vayu:end -->";
/// Escape.
pub fn escape_user_text(s: &str) -> String {
    s.replace('@', "@\u{200b}").replace("<!--", "&lt;!--")
}
/// Escape.
pub fn escape_table_cell(s: &str) -> String {
    escape_user_text(s).replace('|', "\\|").replace('\n', " ")
}
/// Escape.
pub fn escape_mermaid_label(s: &str) -> String {
    s.replace('"', "#quot;")
}
