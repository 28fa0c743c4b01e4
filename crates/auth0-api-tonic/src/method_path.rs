//! `InvalidMethodPath`: a scope rule for something that is not a gRPC
//! method path.

use std::fmt;

/// A scope rule named something that is not a gRPC method path
/// (`/package.Service/Method`), so it could never match a call.
///
/// Refused when the layer is configured rather than let through: a
/// misspelt path would otherwise leave the method with authentication
/// only, silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidMethodPath {
    path: String,
    reason: &'static str,
}

impl InvalidMethodPath {
    /// The path as written.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for InvalidMethodPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a gRPC method path like \"/package.Service/Method\": {}",
            self.path, self.reason
        )
    }
}

impl std::error::Error for InvalidMethodPath {}

/// Checks that `path` is `/Service/Method`: a leading `/`, then two
/// non-empty segments of visible ASCII, as the `:path` of a gRPC call
/// (`Service` being the fully qualified `package.Service`).
pub(crate) fn check(path: &str) -> Result<(), InvalidMethodPath> {
    let invalid = |reason| InvalidMethodPath {
        path: path.to_owned(),
        reason,
    };
    let Some(rest) = path.strip_prefix('/') else {
        return Err(invalid("it must start with '/'"));
    };
    if !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid("it must be visible ASCII"));
    }
    if rest.contains(['?', '#', '%']) {
        return Err(invalid("it must not hold a query, fragment or escape"));
    }
    match rest.split_once('/') {
        Some((service, method))
            if !service.is_empty() && !method.is_empty() && !method.contains('/') =>
        {
            Ok(())
        }
        _ => Err(invalid("it must name a service and a method")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_paths_are_accepted() {
        for path in [
            "/orders.v1.Orders/CreateOrder",
            "/Greeter/SayHello",
            "/grpc.health.v1.Health/Check",
        ] {
            assert_eq!(check(path), Ok(()), "{path}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_path() {
        for path in [
            "",
            "/",
            "orders.v1.Orders/CreateOrder",
            "/orders.v1.Orders",
            "/orders.v1.Orders/",
            "//CreateOrder",
            "/orders.v1.Orders/Create/Order",
            "/orders.v1.Orders/Create Order",
            "/orders.v1.Orders/CreateOrder?x=1",
            "/orders.v1.Orders/Create%4Frder",
            "/orders.v1.Orders/Créer",
        ] {
            let error = check(path).unwrap_err();
            assert_eq!(error.path(), path);
            assert!(error.to_string().starts_with(&format!("{path:?} is not")));
        }
    }
}
