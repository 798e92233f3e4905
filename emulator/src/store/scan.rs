//! [`Scanner`]: splits a JSON stream into the raw text of its values.
//!
//! A state document can be hundreds of megabytes. serde_json parses a slice several times
//! faster than a reader (a reader is read byte by byte), so the import reads the document's
//! structure here, one value at a time, and hands each value's text to `serde_json::from_slice`.
//! The scanner only finds where a value ends (strings, escapes, nesting); whether the text is
//! valid JSON is for serde_json to say, so a malformed value is still reported by its parser.

use std::io::BufRead;

/// Reads values from a buffered reader (see the module documentation).
pub struct Scanner<R> {
    r: R,
    /// Bytes consumed so far (for error messages).
    offset: u64,
}

/// Where a scalar (number, `true`, `false`, `null`) ends.
fn ends_scalar(c: u8) -> bool {
    matches!(c, b',' | b'}' | b']' | b':' | b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'[' | b'"')
}

impl<R: BufRead> Scanner<R> {
    pub fn new(r: R) -> Scanner<R> {
        Scanner { r, offset: 0 }
    }

    fn consume(&mut self, n: usize) {
        self.r.consume(n);
        self.offset += n as u64;
    }

    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.offset)
    }

    fn fill(&mut self) -> Result<&[u8], String> {
        let offset = self.offset;
        self.r.fill_buf().map_err(|e| format!("reading the document at byte {offset}: {e}"))
    }

    /// Skips whitespace; the next byte, `None` at the end of the stream.
    pub fn peek(&mut self) -> Result<Option<u8>, String> {
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n')) {
                Some(i) => {
                    let c = buf[i];
                    self.consume(i);
                    return Ok(Some(c));
                }
                None => {
                    let n = buf.len();
                    self.consume(n);
                }
            }
        }
    }

    /// Consumes `c` if it comes next (after whitespace).
    pub fn eat(&mut self, c: u8) -> Result<bool, String> {
        if self.peek()? == Some(c) {
            self.consume(1);
            return Ok(true);
        }
        Ok(false)
    }

    /// Consumes `c`, which must come next.
    pub fn expect(&mut self, c: u8) -> Result<(), String> {
        match self.peek()? {
            Some(x) if x == c => {
                self.consume(1);
                Ok(())
            }
            Some(x) => Err(self.error(&format!("expected `{}`, found `{}`", c as char, x as char))),
            None => Err(self.error(&format!("expected `{}`, found the end of the document", c as char))),
        }
    }

    /// Nothing but whitespace may follow.
    pub fn end(&mut self) -> Result<(), String> {
        match self.peek()? {
            None => Ok(()),
            Some(x) => Err(self.error(&format!("trailing characters (`{}`)", x as char))),
        }
    }

    /// Replaces `out` with the text of the next value.
    pub fn value(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        out.clear();
        let first = match self.peek()? {
            Some(c) => c,
            None => return Err(self.error("expected a value, found the end of the document")),
        };
        if !matches!(first, b'{' | b'[' | b'"') {
            return self.scalar(out);
        }
        // Depth of `{`/`[` outside strings; a string value ends with its closing quote.
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Err(self.error("unexpected end of the document inside a value"));
            }
            let mut i = 0;
            let mut done = None;
            while i < buf.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    // Jump to the next quote or backslash.
                    match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                        None => {
                            i = buf.len();
                            continue;
                        }
                        Some(j) => i += j,
                    }
                    if buf[i] == b'\\' {
                        escaped = true;
                    } else {
                        in_string = false;
                        if depth == 0 {
                            done = Some(i + 1);
                            break;
                        }
                    }
                } else {
                    match buf[i] {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                done = Some(i + 1);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            let n = done.unwrap_or(buf.len());
            out.extend_from_slice(&buf[..n]);
            self.consume(n);
            if done.is_some() {
                return Ok(());
            }
        }
    }

    fn scalar(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                return Ok(());
            }
            let end = buf.iter().position(|&c| ends_scalar(c));
            let n = end.unwrap_or(buf.len());
            out.extend_from_slice(&buf[..n]);
            self.consume(n);
            if end.is_some() {
                if out.is_empty() {
                    let c = self.fill()?.first().copied().unwrap_or(b' ');
                    return Err(self.error(&format!("expected a value, found `{}`", c as char)));
                }
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    /// The values of a JSON array, read through a reader that hands out `chunk` bytes at a time.
    fn elements(text: &str, chunk: usize) -> Result<Vec<String>, String> {
        let mut sc = Scanner::new(BufReader::with_capacity(chunk, text.as_bytes()));
        let mut out = Vec::new();
        let mut buf = Vec::new();
        sc.expect(b'[')?;
        if !sc.eat(b']')? {
            loop {
                sc.value(&mut buf)?;
                out.push(String::from_utf8(buf.clone()).unwrap());
                if sc.eat(b',')? {
                    continue;
                }
                sc.expect(b']')?;
                break;
            }
        }
        sc.end()?;
        Ok(out)
    }

    #[test]
    fn values_split_where_json_says_whatever_the_buffer_size() {
        let values = [
            r#"{"a":"x\"}]","b":[1,{"c":"\\"}],"d":{}}"#,
            r#""plain \" quote \\""#,
            "[[],[[]],{\"k\":[\"]\"]}]",
            "-12.5e3",
            "true",
            "null",
            "{ \"spaced\" : [ 1 , 2 ] }",
        ];
        let text = format!("[ {} ]\n", values.join(" ,\n"));
        for chunk in [1, 2, 3, 7, 64, 1 << 16] {
            assert_eq!(elements(&text, chunk).unwrap(), values, "chunk {chunk}");
            for v in elements(&text, chunk).unwrap() {
                serde_json::from_str::<serde_json::Value>(&v).unwrap();
            }
        }
        assert_eq!(elements("[]", 1).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn broken_documents_are_errors_with_an_offset() {
        for (text, want) in [
            ("[1,", "expected a value, found the end of the document at byte 3"),
            ("[{\"a\":1", "unexpected end of the document inside a value at byte 7"),
            ("[\"abc", "unexpected end of the document inside a value at byte 5"),
            ("[1 2]", "expected `]`, found `2` at byte 3"),
            ("[1] x", "trailing characters (`x`) at byte 4"),
            ("[,]", "expected a value, found `,` at byte 1"),
            ("{}", "expected `[`, found `{` at byte 0"),
        ] {
            assert_eq!(elements(text, 2).unwrap_err(), want, "{text}");
        }
    }
}
