//! `claims`: the verified claims of a call, in a handler.

use auth0_api::Claims;
use tonic::{Request, Status};

/// The claims [`Auth0Layer`](crate::Auth0Layer) verified for this call.
///
/// The same as `request.extensions().get::<Claims>()`, with the answer for
/// a call that has none ready for `?`.
///
/// ```
/// use auth0_api_tonic::claims;
/// use tonic::{Request, Response, Status};
///
/// fn who_am_i(request: Request<()>) -> Result<Response<String>, Status> {
///     let claims = claims(&request)?;
///     Ok(Response::new(claims.sub().unwrap_or_default().to_owned()))
/// }
/// ```
///
/// # Errors
///
/// `INTERNAL` when the call carries no claims: the server has no
/// [`Auth0Layer`](crate::Auth0Layer) in front of this service, a bug in
/// the application, refused rather than let through. The message does not
/// say more to the client.
pub fn claims<T>(request: &Request<T>) -> Result<&Claims, Status> {
    request
        .extensions()
        .get::<Claims>()
        .ok_or_else(|| Status::internal("authentication is not configured for this method"))
}

#[cfg(test)]
mod tests {
    use tonic::Code;

    use super::*;

    #[test]
    fn a_call_without_the_layer_is_an_internal_error() {
        let status = claims(&Request::new(())).unwrap_err();
        assert_eq!(status.code(), Code::Internal);
        assert!(status.metadata().get("www-authenticate").is_none());
    }
}
