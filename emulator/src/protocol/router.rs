//! The route table's matching: (method, path pattern) → the route, with its metadata.
//!
//! Literal segments match case-insensitively; captures keep the client's casing. Paths are
//! split on `/` with empty segments dropped, so `//` inside a path (sent by `az resource`) and a
//! trailing slash are tolerated. A `{*name}` capture takes the rest of the path. Earlier routes
//! win; [`Router::conflicts`] lists pairs where that order hides a route or two routes match
//! the same paths (a test keeps the list empty).
//!
//! The router is generic over the handler, so this layer needs no knowledge of what handlers
//! are (resource providers and the test-control API have different ones).

use std::borrow::Cow;

use super::request::{Method, Params};

/// Which checks run before the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An ARM call: `Authorization`, `api-version`, and the subscription (if captured) must exist.
    Arm,
    /// An ARM call that works without a subscription check (tenant-level and `/subscriptions` list).
    ArmTenant,
    /// No checks: cloud metadata, sign-in endpoints.
    Open,
    /// An Azure ML data-plane call (the environment service): a bearer token as ARM takes it,
    /// but no `api-version` and no subscription stage (the handler answers a missing workspace
    /// as the service does), and errors in Azure ML's data-plane envelope.
    DataPlane,
    /// A Microsoft Graph call (`/v1.0/…`): a bearer token for Graph (or the emulator), no
    /// `api-version`, no subscription stage, no RBAC (Graph permissions are not modelled), and
    /// errors in Graph's envelope.
    Graph,
    /// The test-control API: no authentication, but only from this machine, and writes must be
    /// JSON (or carry `X-ArmEmu-Control`).
    Control,
}

/// What the pipeline knows about a route besides its handler.
#[derive(Debug, Clone, Copy)]
pub struct RouteMeta {
    /// The ARM operationId (or an emulator name for other routes); COVERAGE.md and the journal
    /// use it.
    pub operation: &'static str,
    pub access: Access,
    /// The api-versions of the route's provider, quoted by `InvalidApiVersionParameter`.
    pub api_versions: &'static [&'static str],
    /// The LRO kind (`resourceGroups/delete`) when the operation can run asynchronously.
    pub lro: Option<&'static str>,
    /// The RBAC action the operation needs (`Microsoft.Resources/subscriptions/resourceGroups/write`).
    pub action: Option<&'static str>,
}

pub struct Route<H> {
    pub method: Method,
    pub pattern: &'static str,
    pub meta: RouteMeta,
    pub handler: H,
}

impl<H> Route<H> {
    pub fn new(method: Method, pattern: &'static str, operation: &'static str, access: Access, handler: H) -> Self {
        Route {
            method,
            pattern,
            meta: RouteMeta { operation, access, api_versions: &[], lro: None, action: None },
            handler,
        }
    }

    pub fn api_versions(mut self, v: &'static [&'static str]) -> Self {
        self.meta.api_versions = v;
        self
    }

    pub fn lro(mut self, kind: &'static str) -> Self {
        self.meta.lro = Some(kind);
        self
    }

    pub fn action(mut self, action: &'static str) -> Self {
        self.meta.action = Some(action);
        self
    }

    /// The same route with another handler type (the pipeline wraps provider handlers).
    pub fn map<G>(self, f: impl FnOnce(H) -> G) -> Route<G> {
        Route { method: self.method, pattern: self.pattern, meta: self.meta, handler: f(self.handler) }
    }

    pub fn operation(&self) -> &'static str {
        self.meta.operation
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    Lit(&'static str),
    Param(&'static str),
    Rest(&'static str),
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

/// True when the pattern matches the path (literals only; captures match anything).
fn fits(segs: &[Seg], path: &[Cow<'_, str>]) -> bool {
    let has_rest = matches!(segs.last(), Some(Seg::Rest(_)));
    if (!has_rest && segs.len() != path.len()) || (has_rest && path.len() < segs.len()) {
        return false;
    }
    // From the end: the resource type is the most telling literal.
    segs.iter().zip(path).rev().all(|(seg, p)| match seg {
        // Clients mostly send the table's casing: an exact compare first is cheaper.
        Seg::Lit(l) => *l == p.as_ref() || l.eq_ignore_ascii_case(p),
        _ => true,
    })
}

/// The captures of a path the pattern [`fits`].
fn captures<'a>(segs: &[Seg], path: &[Cow<'a, str>]) -> Params<'a> {
    let mut params = Params::new();
    for (i, seg) in segs.iter().enumerate() {
        match seg {
            Seg::Rest(name) => {
                params.push((*name, Cow::Owned(path[i..].join("/"))));
                break;
            }
            Seg::Param(name) => params.push((*name, path[i].clone())),
            Seg::Lit(_) => {}
        }
    }
    params
}

#[cfg(test)]
fn matches<'a>(segs: &[Seg], path: &[Cow<'a, str>]) -> Option<Params<'a>> {
    fits(segs, path).then(|| captures(segs, path))
}

struct Compiled<H> {
    route: Route<H>,
    segs: Vec<Seg>,
}

pub struct Router<H> {
    routes: Vec<Compiled<H>>,
    /// Route indexes by segment count (routes without a `{*rest}` capture), in table order.
    by_len: Vec<Vec<usize>>,
    /// Indexes of the routes ending in a `{*rest}` capture, in table order.
    rest: Vec<usize>,
}

// A short-lived return value: boxing the captures would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
pub enum Resolved<'r, 'p, H> {
    Found {
        route: &'r Route<H>,
        params: Params<'p>,
    },
    /// The path exists for other methods.
    MethodNotAllowed,
    NotFound,
}

impl<H> Router<H> {
    pub fn new(routes: Vec<Route<H>>) -> Router<H> {
        let routes: Vec<Compiled<H>> =
            routes.into_iter().map(|r| Compiled { segs: compile(r.pattern), route: r }).collect();
        let mut by_len: Vec<Vec<usize>> = Vec::new();
        let mut rest = Vec::new();
        for (i, c) in routes.iter().enumerate() {
            if matches!(c.segs.last(), Some(Seg::Rest(_))) {
                rest.push(i);
            } else {
                if by_len.len() <= c.segs.len() {
                    by_len.resize(c.segs.len() + 1, Vec::new());
                }
                by_len[c.segs.len()].push(i);
            }
        }
        Router { routes, by_len, rest }
    }

    /// The first route (in table order) whose pattern and method match.
    pub fn resolve<'p>(&self, method: Method, path: &[Cow<'p, str>]) -> Resolved<'_, 'p, H> {
        // The method's routes first; only a path no route of the method has is matched
        // against the others (for 405). Captures are copied only for the route that answers.
        let answer = self
            .candidates(path.len())
            .map(|i| &self.routes[i])
            .find(|c| c.route.method == method && fits(&c.segs, path));
        if let Some(c) = answer {
            return Resolved::Found { route: &c.route, params: captures(&c.segs, path) };
        }
        if self.candidates(path.len()).any(|i| fits(&self.routes[i].segs, path)) {
            Resolved::MethodNotAllowed
        } else {
            Resolved::NotFound
        }
    }

    /// The routes a path of `len` segments may match, in table order: those of that length
    /// merged with the `{*rest}` routes.
    fn candidates(&self, len: usize) -> impl Iterator<Item = usize> + '_ {
        let fixed = self.by_len.get(len).map(Vec::as_slice).unwrap_or(&[]);
        let (mut a, mut b) = (fixed.iter().copied().peekable(), self.rest.iter().copied().peekable());
        std::iter::from_fn(move || match (a.peek(), b.peek()) {
            (Some(&x), Some(&y)) if x < y => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        })
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route<H>> {
        self.routes.iter().map(|c| &c.route)
    }

    /// Pairs of routes (same method) where the earlier one hides paths of the later one that
    /// the later one is more specific about, or where both match the same paths with the same
    /// shape. A `{*rest}` catch-all is meant to come last and is not checked.
    pub fn conflicts(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        for (i, a) in self.routes.iter().enumerate() {
            for b in &self.routes[i + 1..] {
                if a.route.method != b.route.method || a.segs.len() != b.segs.len() {
                    continue;
                }
                if a.segs.iter().chain(&b.segs).any(|s| matches!(s, Seg::Rest(_))) {
                    continue;
                }
                let overlap = a.segs.iter().zip(&b.segs).all(|(x, y)| match (x, y) {
                    (Seg::Lit(p), Seg::Lit(q)) => p.eq_ignore_ascii_case(q),
                    _ => true,
                });
                // `a` is at least as specific as `b` everywhere: a literal wherever `b` has one.
                let a_covers = a.segs.iter().zip(&b.segs).all(|(x, y)| !matches!((x, y), (Seg::Param(_), Seg::Lit(_))));
                let same_shape =
                    a.segs.iter().zip(&b.segs).all(|(x, y)| matches!(x, Seg::Param(_)) == matches!(y, Seg::Param(_)));
                if overlap && (!a_covers || same_shape) {
                    out.push((a.route.pattern, b.route.pattern));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<Cow<'_, str>> {
        p.split('/').filter(|s| !s.is_empty()).map(Cow::Borrowed).collect()
    }

    fn owned(p: &Params<'_>) -> Vec<(&'static str, String)> {
        p.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn literals_ignore_case_and_captures_keep_it() {
        let s = compile("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}");
        let p = matches(&s, &segs("/SUBSCRIPTIONS/abc/resourcegroups/MyRG/")).unwrap();
        assert_eq!(owned(&p), vec![("subscriptionId", "abc".to_string()), ("resourceGroupName", "MyRG".to_string())]);
        assert!(matches(&s, &segs("/subscriptions/abc/resourcegroups")).is_none());
        assert!(matches(&s, &segs("/subscriptions/abc/resourcegroups/x/y")).is_none());
    }

    #[test]
    fn rest_capture_takes_the_tail_and_double_slashes_vanish() {
        let s = compile("/subscriptions/{s}/resourceGroups/{rg}/providers/{*rest}");
        let p = matches(&s, &segs("/subscriptions/a/resourceGroups/b/providers/NS//ws/x")).unwrap();
        assert_eq!(owned(&p)[2], ("rest", "NS/ws/x".to_string()));
    }

    #[test]
    fn earlier_routes_win_across_fixed_and_rest_routes() {
        let r = Router::new(vec![
            Route::new(Method::Get, "/a/{x}/c", "specific", Access::Open, 1),
            Route::new(Method::Get, "/a/{*rest}", "catch-all", Access::Open, 2),
            Route::new(Method::Get, "/a/b/c", "hidden", Access::Open, 3),
            Route::new(Method::Put, "/a/b/d", "put-only", Access::Open, 4),
        ]);
        let found = |p: &str, m| match r.resolve(m, &segs(p)) {
            Resolved::Found { route, .. } => route.handler,
            Resolved::MethodNotAllowed => -1,
            Resolved::NotFound => 0,
        };
        assert_eq!(found("/a/b/c", Method::Get), 1);
        assert_eq!(found("/a/q", Method::Get), 2);
        assert_eq!(found("/a/b/d", Method::Get), 2);
        assert_eq!(found("/a/b/c", Method::Delete), -1);
        assert_eq!(found("/z", Method::Get), 0);
        assert_eq!(r.conflicts(), vec![("/a/{x}/c", "/a/b/c")]);
    }
}
