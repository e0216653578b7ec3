package main

// discoveryDocument is a provider metadata document (OIDC Discovery 1.0
// §3, RFC 8414 §2) with the members Authalla publishes, so that both
// servers send documents of about the same size. Only the token, JWKS and
// discovery endpoints are served here.
func discoveryDocument(issuer, alg string) map[string]any {
	return map[string]any{
		"issuer":                                        issuer,
		"authorization_endpoint":                        issuer + "/oauth2/authorize",
		"token_endpoint":                                issuer + "/oauth2/token",
		"userinfo_endpoint":                             issuer + "/oauth2/userinfo",
		"jwks_uri":                                      issuer + "/.well-known/jwks.json",
		"end_session_endpoint":                          issuer + "/oauth2/logout",
		"introspection_endpoint":                        issuer + "/oauth2/introspect",
		"revocation_endpoint":                           issuer + "/oauth2/revoke",
		"scopes_supported":                              []string{"openid", "profile", "email", "offline_access"},
		"response_types_supported":                      []string{"code"},
		"response_modes_supported":                      []string{"query"},
		"grant_types_supported":                         []string{"authorization_code", "refresh_token", "client_credentials"},
		"subject_types_supported":                       []string{"public"},
		"id_token_signing_alg_values_supported":         []string{alg},
		"token_endpoint_auth_methods_supported":         []string{"client_secret_basic", "client_secret_post", "none"},
		"introspection_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":    []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":              []string{"S256"},
		"claims_supported": []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr",
			"email", "email_verified", "name", "picture", "updated_at"},
		"prompt_values_supported":                        []string{"none", "login", "consent", "create"},
		"authorization_response_iss_parameter_supported": true,
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"claims_parameter_supported":                     false,
	}
}
