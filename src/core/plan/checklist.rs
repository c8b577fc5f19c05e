//! Plan source 2: the first Markdown task list of an issue body, one subtask
//! per item: `- [ ] Title @owner ~15m needs: design, Build the API when: design succeeded`.
//!
//! The title is every word that is not an attribute. Keys are slugs of the
//! titles, made unique with `-2`, `-3` suffixes; `needs:` and `when:` accept a
//! key or a title (matched by slug). Lists inside vayu's own
//! `<!-- vayu:begin -->` … `<!-- vayu:end -->` block are skipped.

use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::error::{PlanError, Problem, ProblemKind};
use super::model::{Condition, Minutes, Outcome, PlanSource, PlanSpec, SubtaskSpec};
use super::ours::OursTracker;
use super::position::LineIndex;
use crate::core::ids::TaskKey;

/// One item's text and where it starts.
#[derive(Debug)]
struct Item {
    offset: usize,
    text: String,
    is_task: bool,
}

/// A list being read and its current item.
#[derive(Debug)]
struct OpenList {
    id: usize,
    item: Option<Item>,
}

/// An item's attributes before keys are resolved.
#[derive(Debug, Default)]
struct Written {
    title: String,
    owners: Vec<String>,
    estimate: Option<Minutes>,
    needs: Vec<String>,
    when: Option<(String, Outcome)>,
}

/// Parses the first task list outside vayu's markers; `Ok(None)` when the body has none.
pub fn parse_checklist(body: &str) -> Result<Option<PlanSpec>, PlanError> {
    let items = first_task_list(body);
    if items.is_empty() {
        return Ok(None);
    }
    let index = LineIndex::new(body);
    let mut problems = Vec::new();
    let mut written = Vec::with_capacity(items.len());
    for item in &items {
        let span = index.span(item.offset);
        match read_item(&item.text) {
            Ok(w) => written.push((w, span)),
            Err(message) => problems.push(Problem {
                span: Some(span),
                kind: ProblemKind::Checklist {
                    title: item.text.trim().to_owned(),
                    message,
                },
            }),
        }
    }
    if !problems.is_empty() {
        return Err(PlanError { problems });
    }

    let mut keys: Vec<TaskKey> = Vec::with_capacity(written.len());
    let mut taken: HashMap<TaskKey, usize> = HashMap::new();
    for (i, (w, _)) in written.iter().enumerate() {
        let base = TaskKey::slug(&w.title, &format!("item-{}", i + 1));
        let mut key = base.clone();
        let mut n = 1;
        while taken.contains_key(&key) {
            n += 1;
            // `base` is a valid key of at most 40 characters, so the suffixed one is valid too.
            key = TaskKey::new(format!("{base}-{n}"))
                .unwrap_or_else(|_| TaskKey::slug("", &format!("item-{}-{n}", i + 1)));
        }
        taken.insert(key.clone(), i);
        keys.push(key);
    }
    let resolve = |raw: &str| -> TaskKey {
        if let Ok(key) = TaskKey::new(raw)
            && taken.contains_key(&key)
        {
            return key;
        }
        TaskKey::slug(raw, "unnamed")
    };

    let subtasks = written
        .into_iter()
        .zip(keys)
        .map(|((w, span), key)| SubtaskSpec {
            key,
            title: w.title,
            owner: w.owners.into_iter().next(),
            needs: w.needs.iter().map(|n| resolve(n)).collect(),
            when: w.when.map(|(k, outcome)| Condition {
                key: resolve(&k),
                outcome,
            }),
            resources: Vec::new(),
            estimate: w.estimate,
            files: Vec::new(),
            success: None,
            description: None,
            span: Some(span),
        })
        .collect();
    Ok(Some(PlanSpec {
        mode: None,
        subtasks,
        source: PlanSource::Checklist,
    }))
}

/// Collects the task items of the first list that has one, ignoring nested lists.
fn first_task_list(body: &str) -> Vec<Item> {
    let mut ours = OursTracker::default();
    let mut lists: Vec<OpenList> = Vec::new();
    let mut next_id = 0;
    let mut chosen: Option<usize> = None;
    let mut items = Vec::new();
    for (event, range) in Parser::new_ext(body, Options::ENABLE_TASKLISTS).into_offset_iter() {
        let top = lists.last_mut();
        match event {
            Event::Html(html) | Event::InlineHtml(html) => ours.see_html(&html),
            Event::Start(Tag::List(_)) => {
                next_id += 1;
                lists.push(OpenList {
                    id: next_id,
                    item: None,
                });
            }
            Event::End(TagEnd::List(_)) => {
                if let Some(list) = lists.pop()
                    && chosen == Some(list.id)
                {
                    break;
                }
            }
            Event::Start(Tag::Item) => {
                if let Some(list) = top {
                    list.item = Some(Item {
                        offset: range.start,
                        text: String::new(),
                        is_task: false,
                    });
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(list) = top
                    && let Some(item) = list.item.take()
                    && item.is_task
                    && chosen == Some(list.id)
                {
                    items.push(item);
                }
            }
            Event::TaskListMarker(_) => {
                if let Some(list) = top
                    && let Some(item) = list.item.as_mut()
                    && !ours.inside()
                {
                    item.is_task = true;
                    chosen.get_or_insert(list.id);
                }
            }
            Event::Text(text) => push_text(top, &text),
            Event::Code(code) => push_text(top, &format!("`{code}`")),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                push_text(top, " ")
            }
            _ => {}
        }
    }
    items
}

fn push_text(list: Option<&mut OpenList>, text: &str) {
    if let Some(item) = list.and_then(|l| l.item.as_mut()) {
        item.text.push_str(text);
    }
}

/// Reads one item's words into a title and attributes.
fn read_item(text: &str) -> Result<Written, String> {
    #[derive(PartialEq)]
    enum Mode {
        Title,
        Needs,
        When,
    }
    let mut w = Written::default();
    let mut title: Vec<&str> = Vec::new();
    let mut needs = String::new();
    let mut when: Vec<&str> = Vec::new();
    let mut mode = Mode::Title;
    for token in text.split_whitespace() {
        let lower = token.to_ascii_lowercase();
        if let Some(owner) = token.strip_prefix('@').filter(|o| !o.is_empty()) {
            w.owners
                .push(owner.trim_end_matches([',', '.', ';']).to_owned());
            mode = Mode::Title;
        } else if let Some(est) = token.strip_prefix('~').filter(|e| !e.is_empty()) {
            w.estimate = Some(est.parse::<Minutes>().map_err(|e| e.to_string())?);
            mode = Mode::Title;
        } else if lower.starts_with("needs:") {
            needs.push(',');
            needs.push_str(&token["needs:".len()..]);
            mode = Mode::Needs;
        } else if lower.starts_with("when:") {
            let rest = &token["when:".len()..];
            if !rest.is_empty() {
                when.push(rest);
            }
            mode = Mode::When;
        } else {
            match mode {
                Mode::Needs => {
                    needs.push(' ');
                    needs.push_str(token);
                }
                Mode::When if when.len() < 2 => when.push(token),
                _ => title.push(token),
            }
        }
    }
    if w.owners.len() > 1 {
        let named: Vec<String> = w.owners.iter().map(|o| format!("@{o}")).collect();
        return Err(format!(
            "names {} owners ({}): give exactly one",
            w.owners.len(),
            named.join(", ")
        ));
    }
    if !when.is_empty() {
        let c: Condition = when.join(" ").parse().map_err(|e| format!("{e}"))?;
        w.when = Some((c.key.to_string(), c.outcome));
    }
    w.needs = needs
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    w.title = title.join(" ");
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::plan::model::Span;

    fn keys(spec: &PlanSpec) -> Vec<&str> {
        spec.subtasks.iter().map(|s| s.key.as_str()).collect()
    }

    #[test]
    fn reads_title_owner_estimate_and_needs() {
        let body = "Plan:\n\n- [ ] Design the API @development ~10-15m\n- [x] Build it @development ~1h needs: design-the-api\n- [ ] Write `docs/api.md` @docs needs: Design the API, Build it\n";
        let spec = parse_checklist(body).expect("valid").expect("found");
        assert_eq!(spec.source, PlanSource::Checklist);
        assert_eq!(
            keys(&spec),
            ["design-the-api", "build-it", "write-docs-api-md"]
        );
        let s = &spec.subtasks;
        assert_eq!(s[0].title, "Design the API");
        assert_eq!(s[0].owner.as_deref(), Some("development"));
        assert_eq!(s[0].estimate, Some(Minutes { min: 10, max: 15 }));
        assert_eq!(s[0].span, Some(Span { line: 3, column: 1 }));
        assert_eq!(s[1].estimate, Some(Minutes::exactly(60)));
        assert_eq!(s[1].needs, [TaskKey::new("design-the-api").expect("k")]);
        assert_eq!(s[2].title, "Write `docs/api.md`");
        assert_eq!(
            s[2].needs.iter().map(TaskKey::as_str).collect::<Vec<_>>(),
            ["design-the-api", "build-it"]
        );
    }

    #[test]
    fn duplicate_titles_get_numbered_keys_and_when_is_read() {
        let body = "- [ ] Tests @development\n- [ ] Tests @development when: tests failed\n- [ ] Tests @development\n";
        let spec = parse_checklist(body).expect("valid").expect("found");
        assert_eq!(keys(&spec), ["tests", "tests-2", "tests-3"]);
        let when = spec.subtasks[1].when.clone().expect("when");
        assert_eq!(
            (when.key.as_str(), when.outcome),
            ("tests", Outcome::Failed)
        );
        // Slugs stop at 40 characters; the suffix still makes them unique.
        let long = "- [ ] abcdefghij abcdefghij abcdefghij abcdefgh\n".repeat(2);
        let spec = parse_checklist(&long).expect("valid").expect("found");
        assert_eq!(keys(&spec)[1], "abcdefghij-abcdefghij-abcdefghij-2");
    }

    #[test]
    fn only_the_first_task_list_counts_and_ours_is_skipped() {
        let body = "<!-- vayu:begin -->\n- [ ] Ours @docs\n<!-- vayu:end -->\n\n- plain item\n\n1. [ ] First @docs\n   - [ ] nested @docs\n2. [ ] Second @docs\n\n- [ ] Other list @docs\n";
        let spec = parse_checklist(body).expect("valid").expect("found");
        assert_eq!(keys(&spec), ["first", "second"]);
    }

    #[test]
    fn no_task_list_means_no_plan() {
        assert_eq!(parse_checklist("- a\n- b\n"), Ok(None));
        assert_eq!(parse_checklist(""), Ok(None));
    }

    #[test]
    fn bad_items_are_all_reported_with_positions() {
        let body = "- [ ] A @x @y\n- [ ] B ~soon\n- [ ] C when: a maybe\n";
        let err = parse_checklist(body).expect_err("three problems");
        assert_eq!(
            err.to_string(),
            "line 1, column 1: checklist item `A @x @y`: names 2 owners (@x, @y): give exactly one\n\
             line 2, column 1: checklist item `B ~soon`: `soon` is not an estimate: write minutes or hours like `15m`, `10-15m`, `1h` or `1-2h` (smallest first)\n\
             line 3, column 1: checklist item `C when: a maybe`: `a maybe` is not a condition: write `when: <key> succeeded` or `when: <key> failed`"
        );
    }
}
