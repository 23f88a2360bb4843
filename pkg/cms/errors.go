package cms

import "github.com/gokeystone/keystone/internal/sdkerr"

// The errors returned by this package wrap one of these sentinels, with the
// underlying cause kept in the chain; match them with errors.Is. Each also
// matches keystone.ErrKeystone.
var (
	// ErrCertificateConfig reports a signing certificate, private key or CA
	// file that cannot be read or parsed, or a private key that does not
	// belong to the signing certificate. It is keystoneclient's
	// CertificateConfigError.
	ErrCertificateConfig = sdkerr.New("cms: certificate configuration error")

	// ErrInvalidCMS reports input that is not a well-formed CMS SignedData
	// message (bad PEM, bad DER/BER, another content type, no signer). It is
	// keystoneclient's CMSError.
	ErrInvalidCMS = sdkerr.New("cms: invalid CMS message")

	// ErrInvalidPKIZ reports a PKIZ token that lacks the "PKIZ_" prefix, is
	// not base64url, does not inflate, or inflates past MaxPKIZSize.
	ErrInvalidPKIZ = sdkerr.New("cms: invalid PKIZ token")

	// ErrSignerNotFound reports a message whose signer is none of the
	// signing certificates given to the Verifier nor any certificate that
	// the message carries.
	ErrSignerNotFound = sdkerr.New("cms: signer certificate not found")

	// ErrUntrustedSigner reports a signing certificate that does not chain
	// to any of the Verifier's CA certificates (or has expired, or is not
	// yet valid).
	ErrUntrustedSigner = sdkerr.New("cms: signer certificate not trusted")

	// ErrSignatureInvalid reports a signature that does not verify over the
	// message's content: the content or the signature was altered, or the
	// message was signed with another key.
	ErrSignatureInvalid = sdkerr.New("cms: signature verification failed")

	// ErrUnsupportedDigest reports a digest or hash algorithm name or value
	// that this package does not support.
	ErrUnsupportedDigest = sdkerr.New("cms: unsupported digest algorithm")

	// ErrSigning reports a failure while producing a signature.
	ErrSigning = sdkerr.New("cms: signing failed")
)
