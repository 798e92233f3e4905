//! `-o yaml` as knack prints it: PyYAML's `safe_dump(default_flow_style=False,
//! allow_unicode=True)` of the (key-sorted) result. PyYAML writes YAML 1.1, so a string that a
//! 1.1 reader would take for another type (`yes`, a timestamp, `1_000`, `=`) is quoted, and a
//! long plain or single-quoted string is folded after column 80. This is PyYAML's emitter
//! (`analyze_scalar`, `choose_scalar_style`, `write_plain`, `write_single_quoted`) for the
//! values JSON has; double-quoted strings are not folded.

use serde_json::Value;

use super::jmespath::value::py_float;

const WIDTH: usize = 80;

pub fn dump(v: &Value) -> String {
    let mut e = Emitter { out: String::new(), column: 0, whitespace: true, indention: true, indent: 0 };
    match v {
        Value::Array(a) if !a.is_empty() => e.sequence(a, 0),
        Value::Object(m) if !m.is_empty() => e.mapping(m, 0),
        scalar => {
            // A scalar document: PyYAML ends a plain one with the `...` marker.
            e.indent = 2;
            let plain = e.scalar(scalar);
            e.out.push('\n');
            if plain {
                e.out.push_str("...\n");
            }
            return e.out;
        }
    }
    e.out.push('\n');
    e.out
}

struct Emitter {
    out: String,
    column: usize,
    /// The last character written is whitespace (no space is needed before an indicator).
    whitespace: bool,
    indention: bool,
    /// The indentation a folded line continues at.
    indent: usize,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    fn line_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        self.whitespace = true;
        self.indention = true;
    }

    /// PyYAML's `write_indent`: a new line (unless at the start of one) padded to `indent`.
    fn write_indent(&mut self) {
        let indent = self.indent;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.write(&pad);
        }
    }

    fn indicator(&mut self, s: &str, need_whitespace: bool, whitespace: bool, indention: bool) {
        if self.whitespace || !need_whitespace {
            self.write(s);
        } else {
            self.write(&format!(" {s}"));
        }
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    /// A block mapping whose keys start at `indent` (the first one where the cursor is).
    fn mapping(&mut self, m: &serde_json::Map<String, Value>, indent: usize) {
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 {
                self.indent = indent;
                self.write_indent();
            }
            self.indent = indent + 2;
            self.key(k);
            self.indicator(":", false, false, false);
            self.value(v, indent, true);
        }
    }

    /// A block sequence whose dashes are at `indent` (the first one where the cursor is).
    fn sequence(&mut self, a: &[Value], indent: usize) {
        for (i, v) in a.iter().enumerate() {
            if i > 0 {
                self.indent = indent;
                self.write_indent();
            }
            self.indicator("-", true, false, true);
            self.value(v, indent, false);
        }
    }

    /// The value after `key:` (in a mapping at `indent`) or after `- ` (in a sequence there).
    fn value(&mut self, v: &Value, indent: usize, in_mapping: bool) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                if in_mapping {
                    self.indent = indent + 2;
                    self.write_indent();
                } else {
                    self.write(" ");
                    self.whitespace = true;
                }
                self.mapping(m, indent + 2);
            }
            Value::Array(a) if !a.is_empty() => {
                // A sequence in a mapping is not indented (PyYAML's `indentless`).
                let child = if in_mapping { indent } else { indent + 2 };
                if in_mapping {
                    self.indent = child;
                    self.write_indent();
                } else {
                    self.write(" ");
                    self.whitespace = true;
                }
                self.sequence(a, child);
            }
            scalar => {
                self.indent = indent + 2;
                self.scalar(scalar);
            }
        }
    }

    fn key(&mut self, k: &str) {
        let a = analyze(k);
        if a.empty || a.multiline {
            // Not a simple key: PyYAML writes `? key` then `: value`; rare enough to quote it.
            self.double_quoted(k);
            return;
        }
        match style(k, &a, true) {
            Style::Plain => self.plain(k, false),
            Style::Single => self.single_quoted(k, false),
            Style::Double => self.double_quoted(k),
        }
    }

    /// Writes a scalar; true when it was written plain.
    fn scalar(&mut self, v: &Value) -> bool {
        let text = match v {
            Value::Null => "null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => i.to_string(),
                (_, Some(u), _) => u.to_string(),
                (_, _, Some(f)) => yaml_float(f),
                _ => n.to_string(),
            },
            Value::Array(_) => {
                self.indicator("[]", true, false, false);
                return false;
            }
            Value::Object(_) => {
                self.indicator("{}", true, false, false);
                return false;
            }
            Value::String(s) => {
                let a = analyze(s);
                return match style(s, &a, false) {
                    Style::Plain => {
                        self.plain(s, true);
                        true
                    }
                    Style::Single => {
                        self.single_quoted(s, true);
                        false
                    }
                    Style::Double => {
                        self.double_quoted(s);
                        false
                    }
                };
            }
        };
        self.plain(&text, true);
        true
    }

    fn plain(&mut self, text: &str, split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let (mut start, mut end, mut spaces) = (0usize, 0usize, false);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        let data: String = chars[start..end].iter().collect();
                        self.write(&data);
                    }
                    start = end;
                }
            } else if ch.is_none() || ch == Some(' ') {
                let data: String = chars[start..end].iter().collect();
                self.write(&data);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
            }
            end += 1;
        }
    }

    fn single_quoted(&mut self, text: &str, split: bool) {
        self.indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let is_break = |c: char| matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
        let (mut start, mut end, mut spaces, mut breaks) = (0usize, 0usize, false, false);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > WIDTH && split && start != 0 && end != chars.len() {
                        self.write_indent();
                    } else {
                        let data: String = chars[start..end].iter().collect();
                        self.write(&data);
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !is_break(c)) {
                    if chars[start] == '\n' {
                        self.line_break();
                    }
                    for br in &chars[start..end] {
                        if *br == '\n' {
                            self.line_break();
                        } else {
                            self.out.push(*br);
                            self.column = 0;
                            self.whitespace = true;
                            self.indention = true;
                        }
                    }
                    self.write_indent();
                    start = end;
                }
            } else if (ch.is_none() || ch.is_some_and(|c| c == ' ' || is_break(c) || c == '\'')) && start < end {
                let data: String = chars[start..end].iter().collect();
                self.write(&data);
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.indicator("'", false, false, false);
    }

    fn double_quoted(&mut self, text: &str) {
        self.indicator("\"", true, false, false);
        let mut s = String::new();
        for c in text.chars() {
            match c {
                '\0' => s.push_str("\\0"),
                '\x07' => s.push_str("\\a"),
                '\x08' => s.push_str("\\b"),
                '\t' => s.push_str("\\t"),
                '\n' => s.push_str("\\n"),
                '\x0b' => s.push_str("\\v"),
                '\x0c' => s.push_str("\\f"),
                '\r' => s.push_str("\\r"),
                '\x1b' => s.push_str("\\e"),
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                '\u{85}' => s.push_str("\\N"),
                '\u{a0}' => s.push_str("\\_"),
                '\u{2028}' => s.push_str("\\L"),
                '\u{2029}' => s.push_str("\\P"),
                c if printable(c) => s.push(c),
                c if (c as u32) <= 0xff => s.push_str(&format!("\\x{:02X}", c as u32)),
                c if (c as u32) <= 0xffff => s.push_str(&format!("\\u{:04X}", c as u32)),
                c => s.push_str(&format!("\\U{:08X}", c as u32)),
            }
        }
        self.write(&s);
        self.indicator("\"", false, false, false);
    }
}

/// PyYAML's `represent_float`: Python's repr, lower case, `1e+20` as `1.0e+20`.
fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    let v = py_float(f).to_lowercase();
    if !v.contains('.') && v.contains('e') {
        v.replacen('e', ".0e", 1)
    } else {
        v
    }
}

/// Printable for PyYAML with `allow_unicode`.
fn printable(c: char) -> bool {
    c == '\n'
        || ('\x20'..='\x7e').contains(&c)
        || ((c == '\u{85}'
            || ('\u{a0}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || ('\u{10000}'..'\u{10ffff}').contains(&c))
            && c != '\u{feff}')
}

#[derive(Default)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_plain: bool,
    allow_single: bool,
}

enum Style {
    Plain,
    Single,
    Double,
}

fn style(s: &str, a: &Analysis, simple_key: bool) -> Style {
    if resolves_to_str(s) && !(simple_key && (a.empty || a.multiline)) && a.allow_plain {
        return Style::Plain;
    }
    if a.allow_single && !(simple_key && a.multiline) {
        return Style::Single;
    }
    Style::Double
}

/// PyYAML's `analyze_scalar`, for block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis { empty: true, multiline: false, allow_plain: true, allow_single: true };
    }
    let chars: Vec<char> = s.chars().collect();
    let ws = |c: Option<&char>| {
        c.is_none_or(|c| matches!(c, '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'))
    };
    let is_break = |c: char| matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}');
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break, mut previous_space, mut previous_break) = (false, false, false, false);
    let mut preceded_by_ws = true;
    let mut followed_by_ws = chars.len() == 1 || ws(chars.get(1));
    for (i, &ch) in chars.iter().enumerate() {
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                block_indicators = true;
            }
            if (ch == '?' || ch == ':') && followed_by_ws {
                block_indicators = true;
            }
            if ch == '-' && followed_by_ws {
                block_indicators = true;
            }
        } else {
            if ch == ':' && followed_by_ws {
                block_indicators = true;
            }
            if ch == '#' && preceded_by_ws {
                block_indicators = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !printable(ch) {
            special = true;
        }
        if ch == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == chars.len() - 1 {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(ch) {
            if i == 0 {
                leading_break = true;
            }
            if i == chars.len() - 1 {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = ws(Some(&ch));
        followed_by_ws = i + 2 >= chars.len() || ws(chars.get(i + 2));
    }
    let mut allow_plain = true;
    let mut allow_single = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        allow_plain = false;
    }
    if break_space {
        allow_plain = false;
        allow_single = false;
    }
    if space_break || special {
        allow_plain = false;
        allow_single = false;
    }
    if line_breaks || block_indicators {
        allow_plain = false;
    }
    Analysis { empty: false, multiline: line_breaks, allow_plain, allow_single }
}

/// Whether PyYAML's (YAML 1.1) resolver reads the plain scalar `s` as a string: not a bool,
/// int, float, null, timestamp, merge key or value key.
fn resolves_to_str(s: &str) -> bool {
    const BOOLS: [&str; 18] = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON",
        "off", "Off", "OFF",
    ];
    if s.is_empty() || matches!(s, "~" | "null" | "Null" | "NULL" | "<<" | "=") || BOOLS.contains(&s) {
        return false;
    }
    !(is_int(s) || is_float(s) || is_timestamp(s))
}

fn digits(s: &str, allowed: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(allowed)
}

/// `[-+]?` then the rest.
fn unsigned(s: &str) -> &str {
    s.strip_prefix(['-', '+']).unwrap_or(s)
}

/// `(?::[0-5]?[0-9])+` after a first part: the sexagesimal tail.
fn sexagesimal_tail(parts: &[&str]) -> bool {
    !parts.is_empty()
        && parts.iter().all(|p| {
            (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()) && {
                let b = p.as_bytes();
                b.len() == 1 || b[0] <= b'5'
            }
        })
}

fn is_int(s: &str) -> bool {
    let u = unsigned(s);
    if let Some(b) = u.strip_prefix("0b") {
        return digits(b, |c| c == '0' || c == '1' || c == '_');
    }
    if let Some(x) = u.strip_prefix("0x") {
        return digits(x, |c| c.is_ascii_hexdigit() || c == '_');
    }
    if u == "0" {
        return true;
    }
    if let Some(o) = u.strip_prefix('0') {
        return digits(o, |c| ('0'..='7').contains(&c) || c == '_');
    }
    let mut parts = u.split(':');
    let first = parts.next().unwrap_or("");
    let first_ok =
        first.starts_with(|c: char| ('1'..='9').contains(&c)) && digits(first, |c| c.is_ascii_digit() || c == '_');
    let rest: Vec<&str> = parts.collect();
    first_ok && (rest.is_empty() || sexagesimal_tail(&rest))
}

fn is_float(s: &str) -> bool {
    let u = unsigned(s);
    if matches!(u, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // `[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*` (sexagesimal float)
    if let Some((int_part, frac)) = u.rsplit_once('.') {
        if int_part.contains(':') {
            let mut parts = int_part.split(':');
            let first = parts.next().unwrap_or("");
            let rest: Vec<&str> = parts.collect();
            return first.starts_with(|c: char| c.is_ascii_digit())
                && digits(first, |c| c.is_ascii_digit() || c == '_')
                && sexagesimal_tail(&rest)
                && frac.chars().all(|c| c.is_ascii_digit() || c == '_');
        }
    }
    // `[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` or (unsigned only) `\.[0-9][0-9_]*([eE][-+][0-9]+)?`
    let (mantissa, exp) = match u.find(['e', 'E']) {
        Some(i) => (&u[..i], Some(&u[i + 1..])),
        None => (u, None),
    };
    if let Some(e) = exp {
        let Some(d) = e.strip_prefix(['-', '+']) else { return false };
        if !digits(d, |c| c.is_ascii_digit()) {
            return false;
        }
    }
    let Some((int_part, frac)) = mantissa.split_once('.') else { return false };
    if !frac.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return false;
    }
    if int_part.is_empty() {
        // Only without a sign, and the fraction must start with a digit.
        return u.len() == s.len() && frac.starts_with(|c: char| c.is_ascii_digit());
    }
    int_part.starts_with(|c: char| c.is_ascii_digit()) && digits(int_part, |c| c.is_ascii_digit() || c == '_')
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if b.len() == 10 && (0..4).all(d) && b[4] == b'-' && d(5) && d(6) && b[7] == b'-' && d(8) && d(9) {
        return true;
    }
    // yyyy-m?m-d?d(T|t|[ \t]+)h?h:mm:ss(.f*)?([ \t]*(Z|[-+]h?h(:mm)?))?
    if !((0..4).all(d) && b.get(4) == Some(&b'-')) {
        return false;
    }
    let mut i = 5;
    let take_digits = |i: &mut usize, min: usize, max: usize| -> bool {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start >= min
    };
    if !take_digits(&mut i, 1, 2) || b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    if !take_digits(&mut i, 1, 2) {
        return false;
    }
    match b.get(i) {
        Some(b'T' | b't') => i += 1,
        Some(b' ' | b'\t') => {
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if !take_digits(&mut i, 1, 2) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !take_digits(&mut i, 2, 2) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !take_digits(&mut i, 2, 2) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if i == b.len() {
        return true;
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'-' | b'+') => {
            i += 1;
            if !take_digits(&mut i, 1, 2) {
                return false;
            }
            if b.get(i) == Some(&b':') {
                i += 1;
                if !take_digits(&mut i, 2, 2) {
                    return false;
                }
            }
            i == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Expected texts are PyYAML 6's `safe_dump(v, default_flow_style=False, allow_unicode=True)`.
    #[test]
    fn dumps_as_pyyaml() {
        let w = ["word"; 20].join(" ");
        let q = ["it's"; 20].join(" ");
        let v = json!({
            "a": w, "b": {"c": w, "l": [w, {"x": w, "y": [1, [w]]}]}, "big": 1e20, "e": [], "f": {},
            "fl": 1.5, "i": 10, "k y": 1, "m": format!("multi\nline {w} "), "n": null, "t": true,
            "-x": "- x", "tab": "a\tb", "q": q,
            "ts": "2026-12-06T03:30:30.028863+00:00", "d": "2026-12-06", "yes": "yes", "o": "0o17", "u": "1_000",
            "s": "1:20", "eq": "=", "exp": "1e3", "em": "", "h": "#c", "hc": "x #c", "colon": "a: b", "at": "@x",
        });
        let want = "\
-x: '- x'
a: word word word word word word word word word word word word word word word word
  word word word word
at: '@x'
b:
  c: word word word word word word word word word word word word word word word word
    word word word word
  l:
  - word word word word word word word word word word word word word word word word
    word word word word
  - x: word word word word word word word word word word word word word word word
      word word word word word
    y:
    - 1
    - - word word word word word word word word word word word word word word word
        word word word word word
big: 1.0e+20
colon: 'a: b'
d: '2026-12-06'
e: []
em: ''
eq: '='
exp: 1e3
f: {}
fl: 1.5
h: '#c'
hc: 'x #c'
i: 10
k y: 1
m: 'multi

  line word word word word word word word word word word word word word word word
  word word word word word '
n: null
o: 0o17
q: it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's it's
  it's it's it's it's
s: '1:20'
t: true
tab: \"a\\tb\"
ts: '2026-12-06T03:30:30.028863+00:00'
u: '1_000'
'yes': 'yes'
";
        assert_eq!(dump(&crate::cli::output::sorted(v)), want);
        assert_eq!(dump(&json!("abc")), "abc\n...\n");
        assert_eq!(dump(&json!("yes")), "'yes'\n");
        assert_eq!(dump(&json!([])), "[]\n");
        assert_eq!(dump(&json!(null)), "null\n...\n");
        assert_eq!(dump(&json!([[1, 2], []])), "- - 1\n  - 2\n- []\n");
        assert_eq!(dump(&json!(1.0)), "1.0\n...\n");
    }
}
