//! The one route table: (method, path pattern) → operation id, access rule and handler.
//!
//! Literal segments match case-insensitively; captures keep the client's casing. Paths are
//! split on `/` with empty segments dropped, so `//` inside a path (sent by `az resource`) and a
//! trailing slash are tolerated. A `{*name}` capture takes the rest of the path.

use crate::arm::error::ArmResult;
use crate::arm::request::{ArmRequest, Method};
use crate::arm::response::ArmResponse;
use crate::context::Ctx;

pub type Handler = fn(&Ctx, &ArmRequest) -> ArmResult<ArmResponse>;

/// Which checks run before the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An ARM call: `Authorization`, `api-version`, and the subscription (if captured) must exist.
    Arm,
    /// An ARM call that works without a subscription check (tenant-level and `/subscriptions` list).
    ArmTenant,
    /// No checks: cloud metadata, sign-in endpoints, the test-control API.
    Open,
}

pub struct Route {
    pub method: Method,
    pub pattern: &'static str,
    /// The ARM operationId (or an emulator name for non-ARM routes); used in COVERAGE.md and the journal.
    pub operation: &'static str,
    pub access: Access,
    pub handler: Handler,
}

#[derive(Debug, Clone, Copy)]
enum Seg {
    Lit(&'static str),
    Param(&'static str),
    Rest(&'static str),
}

struct Compiled {
    route: Route,
    segs: Vec<Seg>,
}

pub struct Router {
    routes: Vec<Compiled>,
}

pub enum Resolved<'a> {
    Found {
        route: &'a Route,
        params: Vec<(&'static str, String)>,
    },
    /// The path exists for other methods.
    MethodNotAllowed,
    NotFound,
}

fn compile(pattern: &'static str) -> Vec<Seg> {
    pattern
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if let Some(name) = s.strip_prefix("{*").and_then(|r| r.strip_suffix('}')) {
                Seg::Rest(name)
            } else if let Some(name) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                Seg::Param(name)
            } else {
                Seg::Lit(s)
            }
        })
        .collect()
}

fn matches(segs: &[Seg], path: &[String]) -> Option<Vec<(&'static str, String)>> {
    // Most routes fail on length alone; check it before comparing any segment.
    let has_rest = matches!(segs.last(), Some(Seg::Rest(_)));
    if (!has_rest && segs.len() != path.len()) || (has_rest && path.len() < segs.len()) {
        return None;
    }
    let mut params = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        match seg {
            Seg::Rest(name) => {
                if i >= path.len() {
                    return None;
                }
                params.push((*name, path[i..].join("/")));
                return Some(params);
            }
            _ if i >= path.len() => return None,
            Seg::Lit(l) => {
                if !l.eq_ignore_ascii_case(&path[i]) {
                    return None;
                }
            }
            Seg::Param(name) => params.push((*name, path[i].clone())),
        }
    }
    (segs.len() == path.len()).then_some(params)
}

impl Router {
    pub fn new(routes: Vec<Route>) -> Router {
        Router { routes: routes.into_iter().map(|r| Compiled { segs: compile(r.pattern), route: r }).collect() }
    }

    pub fn resolve(&self, method: Method, path: &[String]) -> Resolved<'_> {
        let mut path_matched = false;
        for c in &self.routes {
            if let Some(params) = matches(&c.segs, path) {
                if c.route.method == method {
                    return Resolved::Found { route: &c.route, params };
                }
                path_matched = true;
            }
        }
        if path_matched {
            Resolved::MethodNotAllowed
        } else {
            Resolved::NotFound
        }
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter().map(|c| &c.route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        p.split('/').filter(|s| !s.is_empty()).map(String::from).collect()
    }

    #[test]
    fn literals_ignore_case_and_captures_keep_it() {
        let s = compile("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}");
        let p = matches(&s, &segs("/SUBSCRIPTIONS/abc/resourcegroups/MyRG/")).unwrap();
        assert_eq!(p, vec![("subscriptionId", "abc".to_string()), ("resourceGroupName", "MyRG".to_string())]);
        assert!(matches(&s, &segs("/subscriptions/abc/resourcegroups")).is_none());
        assert!(matches(&s, &segs("/subscriptions/abc/resourcegroups/x/y")).is_none());
    }

    #[test]
    fn rest_capture_takes_the_tail_and_double_slashes_vanish() {
        let s = compile("/subscriptions/{s}/resourceGroups/{rg}/providers/{*rest}");
        let p = matches(&s, &segs("/subscriptions/a/resourceGroups/b/providers/NS//ws/x")).unwrap();
        assert_eq!(p[2], ("rest", "NS/ws/x".to_string()));
    }
}
