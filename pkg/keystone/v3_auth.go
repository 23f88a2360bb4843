package keystone

// TokensManager manages tokens: validate, check, revoke.
type TokensManager struct{ c *V3Client }

// AuthManager manages what the current token can be scoped to, and its catalog.
type AuthManager struct{ c *V3Client }

// ApplicationCredentialsManager manages application credentials.
type ApplicationCredentialsManager struct{ c *V3Client }

// AccessRulesManager manages access rules of application credentials.
type AccessRulesManager struct{ c *V3Client }

// TrustsManager manages trusts.
type TrustsManager struct{ c *V3Client }

// EC2CredentialsManager manages a user's EC2 credentials and EC2/S3 signature validation.
type EC2CredentialsManager struct{ c *V3Client }

// OAuth1Manager manages OAuth1 consumers, request tokens and access tokens.
type OAuth1Manager struct{ c *V3Client }

// RevocationEventsManager manages token revocation events.
type RevocationEventsManager struct{ c *V3Client }

// SimpleCertManager manages the PKI certificates (deprecated).
type SimpleCertManager struct{ c *V3Client }
