//! Escaping for every output format, in one place: HTML/XML text and attributes, CSV cells
//! (quoted, and neutralised against formula injection), Markdown inline text, Graphviz
//! strings, GitHub workflow-command data, and one-line terminal text.

/// Text safe inside HTML or XML elements and double- or single-quoted attributes. Characters
/// XML 1.0 forbids (C0 controls other than tab, LF, CR) become U+FFFD.
pub fn markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` changes the direction of the text after it (embeddings, overrides, isolates,
/// marks).
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Text with bidirectional controls in it, kept intact but wrapped in a first-strong isolate
/// (U+2068 … U+2069), so that an override inside a name cannot reverse the text after it.
pub fn isolate(s: String) -> String {
    if s.chars().any(bidi_control) {
        format!("\u{2068}{s}\u{2069}")
    } else {
        s
    }
}

/// One line for a terminal or a log: control characters (newlines, escape sequences that
/// could repaint the screen) are shown as `\u{..}` instead of acting, and direction
/// overrides are isolated.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    isolate(out)
}

/// Whether a spreadsheet would read a cell starting with this character as a formula.
fn formula_lead(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A CSV cell of free text (a name, a reason): a leading `= + - @`, tab or CR gets a `'` in
/// front so that spreadsheets show it instead of evaluating it; then quoted as RFC 4180 asks.
pub fn csv_text(s: &str) -> String {
    let neutral = if s.starts_with(formula_lead) { format!("'{s}") } else { s.to_string() };
    csv_quoted(&neutral)
}

/// A CSV cell as it is, quoted when it holds a comma, quote or line break; control
/// characters other than tab and line breaks (an escape sequence that would reach a terminal
/// through `--format csv`) are written as `\u{1b}`.
pub fn csv_quoted(s: &str) -> String {
    let s = controls_escaped(s, |c| c != '\t' && c != '\n' && c != '\r');
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// `s` with the control characters `escape` picks written as `\u{..}`.
fn controls_escaped(s: &str, escape: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && escape(c)) {
        return s.into();
    }
    s.chars()
        .map(|c| if c.is_control() && escape(c) { c.escape_unicode().to_string() } else { c.to_string() })
        .collect::<String>()
        .into()
}

/// Text for a terminal line that is not a name (a message, a path): every control
/// character written as `\u{..}`, so that nothing in the data can move the cursor, clear the
/// screen or retitle the window.
pub fn terminal(s: &str) -> String {
    controls_escaped(s, |_| true).into_owned()
}

/// Markdown inline text: HTML-significant characters become entities (so the text is inert
/// in GitHub's renderer, also inside `<summary>`), Markdown punctuation is backslash-escaped,
/// line breaks become spaces (a table row is one line), direction overrides are isolated.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // `@name` and `#123` would notify a user or link an issue on GitHub, whatever the
            // backslash: a word joiner after them keeps them plain text, and invisible.
            '@' => out.push_str("@\u{2060}"),
            '#' => out.push_str("\\#\u{2060}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    isolate(out)
}

/// The inside of a Graphviz double-quoted string.
pub fn dot(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The message part of a GitHub workflow command (`::error::MESSAGE`).
pub fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value of a GitHub workflow command (`file=`, `title=`).
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_inert() {
        assert_eq!(
            markup("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(markup("a\u{1}b"), "a\u{fffd}b");
        assert_eq!(markup("عمر 👍"), "عمر 👍");
    }

    #[test]
    fn csv_neutralises_formulas_and_quotes() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_text("-1+2"), "'-1+2");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("Lee, Ann"), "\"Lee, Ann\"");
        assert_eq!(csv_text("plain"), "plain");
    }

    #[test]
    fn markdown_and_dot_and_github() {
        assert_eq!(markdown("a|b <i>*x*</i>\nc"), "a&#124;b &lt;i&gt;\\*x\\*&lt;/i&gt; c");
        assert_eq!(markdown("@bob fixed #123"), "@\u{2060}bob fixed \\#\u{2060}123");
        assert_eq!(dot("say \"hi\"\\n"), "say \\\"hi\\\"\\\\n");
        assert_eq!(github_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(github_property("a:b,c"), "a%3Ab%2Cc");
        assert_eq!(one_line("a\nb\u{1b}[2J"), "a\\u{a}b\\u{1b}[2J");
        assert_eq!(one_line("x\u{202e}gnp.exe"), "\u{2068}x\u{202e}gnp.exe\u{2069}");
    }
}
