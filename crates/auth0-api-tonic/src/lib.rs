/*!
Protect [tonic] (gRPC) services with Auth0 access tokens: Bearer and DPoP
(RFC 9449), on top of [`auth0_api`].
*/
