//! Making user-supplied text safe to echo into vayu's comments and bodies:
//! it must not ping people, hide text, or forge our markers.

/// The zero-width space put after `@`: GitHub does not turn `@\u{200B}login`
/// into a mention (the same trick as Dependabot's `@&#8203;`), it renders as
/// `@login`, and unlike backticks it needs no knowledge of whether the text
/// is already inside code.
const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// Neutralises user text for Markdown that vayu posts.
///
/// - `@login` (and `@org/team`) gets a zero-width space after the `@`, so it
///   reads the same but notifies nobody.
/// - `<!` and `<?` become `&lt;!` and `&lt;?`: no HTML comment (hence no
///   marker, `<!-- vayu:…`), declaration, CDATA or processing instruction can
///   start, so users cannot hide text or forge markers. Outside code this
///   renders as the `<` they typed; inside code spans it shows as `&lt;`,
///   an acceptable price for never parsing as HTML.
pub fn escape_user_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('<', Some('!' | '?')) => out.push_str("&lt;"),
            ('@', Some(next)) if next.is_ascii_alphanumeric() => {
                out.push('@');
                out.push(ZERO_WIDTH_SPACE);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Neutralises user text for one cell of a Markdown table: everything
/// [`escape_user_text`] does, plus `|` escaped as `\|` and line breaks turned
/// into `<br>` so the row stays one line.
pub fn escape_table_cell(s: &str) -> String {
    let text = escape_user_text(s);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes text safe inside a quoted Mermaid node label (`A["…"]`): quotes,
/// brackets, `#`, `;`, backticks and HTML-significant characters become
/// Mermaid entity codes (`#quot;`, `#35;`, …), and line breaks and other
/// control characters become spaces so the node stays on one line.
pub fn escape_mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let code = match c {
            '"' => "#quot;",
            '#' => "#35;",
            ';' => "#59;",
            '[' => "#91;",
            ']' => "#93;",
            '(' => "#40;",
            ')' => "#41;",
            '{' => "#123;",
            '}' => "#125;",
            '<' => "#lt;",
            '>' => "#gt;",
            '&' => "#amp;",
            '|' => "#124;",
            '`' => "#96;",
            '\r' => {
                chars.next_if_eq(&'\n');
                " "
            }
            c if c.is_control() => " ",
            c => {
                out.push(c);
                continue;
            }
        };
        out.push_str(code);
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{Marker, find_all};
    use super::*;

    #[test]
    fn mentions_are_defused_but_read_the_same() {
        assert_eq!(
            escape_user_text("ping @alice and @org/team, mail a@b.c, lone @ and @-x"),
            "ping @\u{200B}alice and @\u{200B}org/team, mail a@\u{200B}b.c, lone @ and @-x"
        );
        // Escaping twice changes nothing more.
        let once = escape_user_text("@bob");
        assert_eq!(escape_user_text(&once), once);
    }

    #[test]
    fn html_comments_and_markers_are_neutralised() {
        assert_eq!(
            escape_user_text("a <!-- hidden --> <?php ?> <![CDATA[x]]> <b>ok</b>"),
            "a &lt;!-- hidden --> &lt;?php ?> &lt;![CDATA[x]]> <b>ok</b>"
        );
        let forged = "<!-- vayu:task v=1 parent=#1 key=admin plan=x -->";
        assert_eq!(find_all(forged).len(), 1, "the forgery is a real marker");
        assert_eq!(find_all(&escape_user_text(forged)), Vec::<Marker>::new());
    }

    #[test]
    fn table_cells_stay_in_their_cell() {
        assert_eq!(
            escape_table_cell("a|b\r\nc\nd\re @x"),
            "a\\|b<br>c<br>d<br>e @\u{200B}x"
        );
    }

    #[test]
    fn mermaid_labels_use_entity_codes() {
        assert_eq!(
            escape_mermaid_label("Say \"hi\"; [x] #1 (a) {b} <c> & d|e `f`\r\nnext\tend"),
            "Say #quot;hi#quot;#59; #91;x#93; #35;1 #40;a#41; #123;b#125; #lt;c#gt; #amp; d#124;e \
             #96;f#96; next end"
        );
    }

    proptest! {
        #[test]
        fn escaped_text_never_holds_a_marker_or_comment(s in any::<String>()) {
            let escaped = escape_user_text(&s);
            prop_assert!(!escaped.contains("<!"));
            prop_assert!(find_all(&escaped).is_empty());
            let cell = escape_table_cell(&s);
            prop_assert!(!cell.contains('\n') && !cell.contains('\r'));
            let label = escape_mermaid_label(&s);
            prop_assert!(!label.contains('"') && !label.contains('\n') && !label.contains(']'));
        }
    }
}
