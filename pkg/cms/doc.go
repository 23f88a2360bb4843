// Package cms signs and verifies Keystone's PKI and PKIZ tokens: the CMS
// (Cryptographic Message Syntax, RFC 5652) helpers of python-keystoneclient's
// keystoneclient.common.cms, done in Go instead of by running the openssl
// command.
//
// A Signer produces what `openssl cms -sign -nosmimecap -nodetach -nocerts
// -noattr -md sha256 -outform PEM` produces: a SignedData message that
// carries the content, one signer identified by issuer and serial number, no
// signed attributes, and no certificates (the verifier has to be given the
// signing certificate, exactly as cms.py's `-certfile`). It differs from
// openssl's output only in encoding details that both read: an empty
// certificate set (two bytes) where openssl leaves the field out, and no NULL
// parameters in the rsaEncryption algorithm identifier. A Verifier does what
// `openssl cms -verify -certfile signing.pem -CAfile ca.pem -inform PEM`
// does: it finds the signer among the signing certificates it was given
// (and any that the message carries), checks that it chains to one of the
// CA certificates, checks the signature, and returns the content.
//
// The token forms are those of Keystone:
//
//   - PKI tokens ("MII…"): the PEM body of the CMS message with the
//     header, the footer and the newlines removed and '/' replaced by '-'
//     (CMSToToken, TokenToCMS, Signer.SignToken, Verifier.VerifyToken).
//   - PKIZ tokens ("PKIZ_…"): "PKIZ_" followed by the padded base64url
//     encoding of the zlib-compressed message (Signer.SignPKIZ,
//     Verifier.VerifyPKIZ, PKIZUncompress). Like cms.py, which always asks
//     openssl for PEM output, SignPKIZ compresses the PEM text of the
//     message, so that its tokens verify with keystoneclient; VerifyPKIZ
//     accepts a compressed PEM or DER message.
//
// HashToken is cms_hash_token: the hex digest (MD5 unless another algorithm
// is named) of a PKI or PKIZ token, which Keystone uses as the token's ID;
// any other token comes back unchanged.
//
// Every failure is an error that matches one of the sentinels with errors.Is:
// ErrCertificateConfig (a certificate, key or CA file that cannot be read or
// parsed, or a key that does not belong to its certificate), ErrInvalidCMS (a
// message that is not a well-formed CMS SignedData), ErrInvalidPKIZ (a PKIZ
// token that cannot be decoded), ErrSignerNotFound (no given certificate
// matches the signer), ErrUntrustedSigner (the signer does not chain to a
// CA), ErrSignatureInvalid (the signature does not match the content),
// ErrUnsupportedDigest and ErrSigning. No function panics on bad input.
//
// The CMS encoding and decoding is done by github.com/smallstep/pkcs7.
package cms
