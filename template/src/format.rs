//! .NET formatting, as `format()`, `utcNow()` and `dateTimeAdd()` use it: composite format strings
//! (`{0}`, `{0,5}`, `{0:D3}`), the common numeric format specifiers, date-time formats, and ISO 8601
//! durations.

use crate::eval::display;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use serde_json::Value;

/// .NET's `string.Format(fmt, args)`.
pub(crate) fn composite(fmt: &str, args: &[Value]) -> Result<String, String> {
    let bad = || "Input string was not in a correct format.".to_string();
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '}' => return Err(bad()),
            '{' => {
                let close = chars[i..].iter().position(|c| *c == '}').map(|p| p + i).ok_or_else(bad)?;
                let item: String = chars[i + 1..close].iter().collect();
                let (head, spec) = match item.split_once(':') {
                    Some((h, s)) => (h, Some(s)),
                    None => (item.as_str(), None),
                };
                let (index, align) = match head.split_once(',') {
                    Some((ix, al)) => (ix, Some(al.trim().parse::<i64>().map_err(|_| bad())?)),
                    None => (head, None),
                };
                let index: usize = index.trim().parse().map_err(|_| bad())?;
                let arg = args.get(index).ok_or_else(|| {
                    "Index (zero based) must be greater than or equal to zero and less than the size of the argument list."
                        .to_string()
                })?;
                let text = format_value(arg, spec)?;
                let width = align.map(|a| a.unsigned_abs() as usize).unwrap_or(0).min(100_000);
                let pad = width.saturating_sub(text.chars().count());
                match align {
                    Some(a) if a < 0 => {
                        out.push_str(&text);
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                    _ => {
                        out.extend(std::iter::repeat_n(' ', pad));
                        out.push_str(&text);
                    }
                }
                i = close + 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn format_value(v: &Value, spec: Option<&str>) -> Result<String, String> {
    match (v, spec) {
        (Value::Number(n), Some(spec)) if n.is_i64() => format_int(n.as_i64().unwrap_or_default(), spec),
        (Value::Number(n), Some(spec)) => format_float(n.as_f64().unwrap_or_default(), spec),
        _ => Ok(display(v)),
    }
}

fn precision(spec: &str, default: usize) -> Result<usize, String> {
    let digits = &spec[1..];
    if digits.is_empty() {
        return Ok(default);
    }
    digits.parse::<usize>().map(|p| p.min(100)).map_err(|_| format!("Format specifier '{spec}' was invalid."))
}

fn group_thousands(int_part: &str) -> String {
    let bytes: Vec<char> = int_part.chars().collect();
    let mut out = String::new();
    for (i, c) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    out
}

/// The integer format specifiers: D, X/x, N, F, and custom zero-padding patterns like `000`.
pub(crate) fn format_int(n: i64, spec: &str) -> Result<String, String> {
    let Some(first) = spec.chars().next() else { return Ok(n.to_string()) };
    let sign = if n < 0 { "-" } else { "" };
    let abs = n.unsigned_abs();
    match first {
        'D' | 'd' => {
            let p = precision(spec, 0)?;
            Ok(format!("{sign}{abs:0p$}"))
        }
        'X' => Ok(format!("{n:0p$X}", p = precision(spec, 0)?)),
        'x' => Ok(format!("{n:0p$x}", p = precision(spec, 0)?)),
        'N' | 'n' => {
            let p = precision(spec, 2)?;
            let grouped = group_thousands(&abs.to_string());
            Ok(if p == 0 { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{}", "0".repeat(p)) })
        }
        'F' | 'f' => {
            let p = precision(spec, 2)?;
            Ok(if p == 0 { n.to_string() } else { format!("{n}.{}", "0".repeat(p)) })
        }
        'G' | 'g' => Ok(n.to_string()),
        _ if spec.chars().all(|c| c == '0' || c == '#') => {
            let zeros = spec.chars().filter(|c| *c == '0').count();
            Ok(format!("{sign}{abs:0zeros$}"))
        }
        _ => Err(format!("Format specifier '{spec}' was invalid.")),
    }
}

fn format_float(x: f64, spec: &str) -> Result<String, String> {
    let Some(first) = spec.chars().next() else { return Ok(x.to_string()) };
    match first {
        'F' | 'f' => Ok(format!("{x:.p$}", p = precision(spec, 2)?)),
        'N' | 'n' => {
            let p = precision(spec, 2)?;
            let s = format!("{:.p$}", x.abs());
            let (int_part, frac) = s.split_once('.').unwrap_or((&s, ""));
            let sign = if x < 0.0 { "-" } else { "" };
            let grouped = group_thousands(int_part);
            Ok(if frac.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") })
        }
        _ => Ok(x.to_string()),
    }
}

/// Parses the date-time strings ARM accepts: ISO 8601 with or without an offset (UTC assumed).
pub(crate) fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%#z") {
        return Some(dt.with_timezone(&Utc));
    }
    let trimmed = s.trim_end_matches('Z');
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y%m%dT%H%M%S"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(trimmed, f) {
            return Some(Utc.from_utc_datetime(&dt));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|dt| Utc.from_utc_datetime(&dt));
    }
    None
}

/// Adds an ISO 8601 duration (`P1Y2M3DT4H5M6S`, `-P1D`, `PT1.5S`, `P2W`).
pub(crate) fn add_duration(base: DateTime<Utc>, duration: &str) -> Option<DateTime<Utc>> {
    let (negative, rest) = match duration.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, duration.strip_prefix('+').unwrap_or(duration)),
    };
    let rest = rest.strip_prefix('P').or_else(|| rest.strip_prefix('p'))?;
    if rest.is_empty() {
        return None;
    }
    let (date_part, time_part) = match rest.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut months: i64 = 0;
    let mut millis: i64 = 0;
    let mut take = |part: &str, units: &[(char, i64, bool)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
                continue;
            }
            let &(_, factor, is_month) = units.iter().find(|(u, _, _)| u.eq_ignore_ascii_case(&c))?;
            let value: f64 = num.parse().ok()?;
            num.clear();
            if is_month {
                if value.fract() != 0.0 {
                    return None;
                }
                months = months.checked_add((value as i64).checked_mul(factor)?)?;
            } else {
                millis = millis.checked_add((value * factor as f64).round() as i64)?;
            }
        }
        num.is_empty().then_some(())
    };
    take(date_part, &[('Y', 12, true), ('M', 1, true), ('W', 7 * 86_400_000, false), ('D', 86_400_000, false)])?;
    if let Some(t) = time_part {
        take(t, &[('H', 3_600_000, false), ('M', 60_000, false), ('S', 1000, false)])?;
    }
    let (months, millis) = if negative { (-months, -millis) } else { (months, millis) };
    let shifted = if months >= 0 {
        base.checked_add_months(Months::new(u32::try_from(months).ok()?))?
    } else {
        base.checked_sub_months(Months::new(u32::try_from(-months).ok()?))?
    };
    shifted.checked_add_signed(Duration::try_milliseconds(millis)?)
}

/// .NET date-time formatting (invariant culture): the standard formats `d D g G o O r R s u`
/// and custom patterns (`yyyy MM dd HH hh mm ss fff tt K` and quoted literals).
pub(crate) fn format_datetime(dt: DateTime<Utc>, fmt: &str) -> String {
    let pattern = match fmt {
        "d" => "MM/dd/yyyy",
        "D" => "dddd, dd MMMM yyyy",
        "g" => "MM/dd/yyyy HH:mm",
        "G" => "MM/dd/yyyy HH:mm:ss",
        "o" | "O" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'",
        "r" | "R" => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "s" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        "u" => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        "t" => "HH:mm",
        "T" => "HH:mm:ss",
        other => other,
    };
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut run = 1;
        while i + run < chars.len() && chars[i + run] == c {
            run += 1;
        }
        match c {
            '\'' | '"' => {
                let end = chars[i + 1..].iter().position(|x| *x == c).map(|p| p + i + 1).unwrap_or(chars.len());
                out.extend(&chars[i + 1..end]);
                i = end + 1;
                continue;
            }
            '\\' => {
                if let Some(n) = chars.get(i + 1) {
                    out.push(*n);
                }
                i += 2;
                continue;
            }
            'y' => out.push_str(&match run {
                1 => (dt.year() % 100).to_string(),
                2 => format!("{:02}", dt.year() % 100),
                n => format!("{:0n$}", dt.year()),
            }),
            'M' => out.push_str(&match run {
                1 => dt.month().to_string(),
                2 => format!("{:02}", dt.month()),
                3 => dt.format("%b").to_string(),
                _ => dt.format("%B").to_string(),
            }),
            'd' => out.push_str(&match run {
                1 => dt.day().to_string(),
                2 => format!("{:02}", dt.day()),
                3 => dt.format("%a").to_string(),
                _ => dt.format("%A").to_string(),
            }),
            'H' => out.push_str(&if run == 1 { dt.hour().to_string() } else { format!("{:02}", dt.hour()) }),
            'h' => {
                let h = match dt.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                out.push_str(&if run == 1 { h.to_string() } else { format!("{h:02}") });
            }
            'm' => out.push_str(&if run == 1 { dt.minute().to_string() } else { format!("{:02}", dt.minute()) }),
            's' => out.push_str(&if run == 1 { dt.second().to_string() } else { format!("{:02}", dt.second()) }),
            'f' | 'F' => {
                let nanos = format!("{:09}", dt.nanosecond() % 1_000_000_000);
                let digits: String = nanos.chars().chain(std::iter::repeat('0')).take(run.min(7)).collect();
                if c == 'F' {
                    out.push_str(digits.trim_end_matches('0'));
                } else {
                    out.push_str(&digits);
                }
            }
            't' => {
                let ampm = if dt.hour() < 12 { "AM" } else { "PM" };
                out.push_str(if run == 1 { &ampm[..1] } else { ampm });
            }
            'K' => out.push('Z'),
            'z' => out.push_str(match run {
                1 | 2 => "+00",
                _ => "+00:00",
            }),
            other => {
                for _ in 0..run {
                    out.push(other);
                }
            }
        }
        i += run;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_formats() {
        let args = [Value::from(5), Value::from("x"), Value::from(1234567)];
        assert_eq!(composite("{0:D3}-{1}-{{}}-{2:N0}", &args).as_deref(), Ok("005-x-{}-1,234,567"));
        assert_eq!(composite("[{1,3}][{1,-3}]", &args).as_deref(), Ok("[  x][x  ]"));
        assert!(composite("{3}", &args).is_err());
        assert!(composite("{0", &args).is_err());
    }

    #[test]
    fn durations() {
        let base = parse_datetime("2020-04-07 14:53:14Z").unwrap_or_default();
        assert_eq!(add_duration(base, "P3Y").map(|d| d.to_rfc3339()), Some("2023-04-07T14:53:14+00:00".into()));
        assert_eq!(add_duration(base, "-PT15M").map(|d| d.to_rfc3339()), Some("2020-04-07T14:38:14+00:00".into()));
        assert_eq!(add_duration(base, "PT1H").map(|d| format_datetime(d, "G")), Some("04/07/2020 15:53:14".into()));
        assert!(add_duration(base, "P").is_none());
        assert!(add_duration(base, "1D").is_none());
    }
}
