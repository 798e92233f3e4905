//! az's configuration (knack's `CLIConfig`): an INI file `config` in armctl's config directory
//! (az: `~/.azure/config`), overridden by `AZURE_<SECTION>_<OPTION>` environment variables, and
//! both overridden by a flag. Written by `armctl configure --defaults` and `armctl config set`.

use std::path::PathBuf;

use crate::profile::{ConfigDir, Vars};

/// The parsed file: sections in file order, each with its options in file order (option names
/// lower-cased like Python's `configparser`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl Config {
    pub fn path(dir: &ConfigDir) -> PathBuf {
        dir.path.join("config")
    }

    /// The file in `dir`; an absent or unreadable file is an empty configuration.
    pub fn load(dir: &ConfigDir) -> Config {
        std::fs::read_to_string(Config::path(dir)).map(|t| Config::parse(&t)).unwrap_or_default()
    }

    /// `[section]` headers and `key = value` (or `key: value`) lines; `#`/`;` comments.
    pub fn parse(text: &str) -> Config {
        let mut c = Config::default();
        let mut current: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                current = Some(name.trim().to_string());
                c.section_mut(name.trim());
                continue;
            }
            let Some(section) = &current else { continue };
            let split = t.find(['=', ':']);
            let (k, v) = match split {
                Some(i) => (t[..i].trim(), t[i + 1..].trim()),
                None => (t, ""),
            };
            let section = section.clone();
            c.set(&section, k, v);
        }
        c
    }

    fn section_mut(&mut self, section: &str) -> &mut Vec<(String, String)> {
        let i = match self.sections.iter().position(|(s, _)| s == section) {
            Some(i) => i,
            None => {
                self.sections.push((section.to_string(), Vec::new()));
                self.sections.len() - 1
            }
        };
        &mut self.sections[i].1
    }

    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.sections
            .iter()
            .find(|(s, _)| s == section)
            .and_then(|(_, kv)| kv.iter().find(|(k, _)| *k == key))
            .map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, section: &str, key: &str, value: &str) {
        let key = key.to_ascii_lowercase();
        let kv = self.section_mut(section);
        match kv.iter_mut().find(|(k, _)| *k == key) {
            Some(e) => e.1 = value.to_string(),
            None => kv.push((key, value.to_string())),
        }
    }

    /// Removes an option; false when it was not set.
    pub fn unset(&mut self, section: &str, key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        let Some((_, kv)) = self.sections.iter_mut().find(|(s, _)| s == section) else { return false };
        let before = kv.len();
        kv.retain(|(k, _)| *k != key);
        before != kv.len()
    }

    /// The options of a section, in file order.
    pub fn items(&self, section: &str) -> Vec<(String, String)> {
        self.sections.iter().find(|(s, _)| s == section).map(|(_, kv)| kv.clone()).unwrap_or_default()
    }

    pub fn sections(&self) -> Vec<String> {
        self.sections.iter().map(|(s, _)| s.clone()).collect()
    }

    /// The file text, as `configparser` writes it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (s, kv) in &self.sections {
            out.push_str(&format!("[{s}]\n"));
            for (k, v) in kv {
                out.push_str(&format!("{k} = {v}\n"));
            }
            out.push('\n');
        }
        out
    }

    pub fn save(&self, dir: &ConfigDir) -> std::io::Result<()> {
        std::fs::create_dir_all(&dir.path)?;
        std::fs::write(Config::path(dir), self.render())
    }
}

/// A setting: `AZURE_<SECTION>_<OPTION>` (non-empty), else the file.
pub fn setting(vars: &Vars, file: &Config, section: &str, key: &str) -> Option<String> {
    let name = format!("AZURE_{}_{}", section.to_ascii_uppercase(), key.to_ascii_uppercase());
    if let Some(v) = vars.get(&name).filter(|v| !v.is_empty()) {
        return Some(v.clone());
    }
    file.get(section, key).map(String::from)
}

/// knack's `items`: `{name, source, value}` of a section, the `AZURE_<SECTION>_<OPTION>`
/// variables first (source: the variable's name), then the file's options not set by one.
pub fn items(vars: &Vars, file: &Config, file_path: &str, section: &str) -> Vec<serde_json::Value> {
    let prefix = format!("AZURE_{}_", section.to_ascii_uppercase());
    let mut env: Vec<(&String, &String)> = vars
        .iter()
        .filter(|(k, _)| {
            k.strip_prefix(&prefix).is_some_and(|o| {
                !o.is_empty() && o.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
        })
        .collect();
    env.sort();
    let mut out: Vec<(String, String, String)> =
        env.into_iter().map(|(k, v)| (k[prefix.len()..].to_ascii_lowercase(), v.clone(), k.clone())).collect();
    for (k, v) in file.items(section) {
        if !out.iter().any(|(n, _, _)| *n == k) {
            out.push((k, v, file_path.to_string()));
        }
    }
    out.into_iter()
        .map(|(name, value, source)| serde_json::json!({"name": name, "source": source, "value": value}))
        .collect()
}

/// Python's `configparser` booleans.
pub fn truthy(v: &str) -> bool {
    matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "yes" | "true" | "on")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sets_unsets_and_renders_like_configparser() {
        let mut c = Config::parse("# c\n[defaults]\nGroup = rg1\nlocation: westeurope\n[core]\noutput=table\n");
        assert_eq!(c.get("defaults", "group"), Some("rg1"));
        assert_eq!(c.get("defaults", "location"), Some("westeurope"));
        assert_eq!(c.get("core", "output"), Some("table"));
        c.set("defaults", "group", "rg2");
        assert!(c.unset("core", "output"));
        assert!(!c.unset("core", "output"));
        assert_eq!(c.render(), "[defaults]\ngroup = rg2\nlocation = westeurope\n\n[core]\n\n");
        assert_eq!(Config::parse(&c.render()), c);
    }
}
