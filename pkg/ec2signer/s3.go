package ec2signer

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// S3Signature is what Keystone's /v3/s3tokens takes besides the access key
// (identityv3.S3TokenCredentials' Token and Signature).
type S3Signature struct {
	// Token is the string to sign, base64url-encoded with padding.
	Token string
	// Signature is the signature of the string to sign.
	Signature string
}

// SignS3 signs an S3 request's string to sign as Keystone's /v3/s3tokens
// checks it. A string to sign that starts with "AWS4" must be an AWS
// Signature Version 4 one ("AWS4-HMAC-SHA256\n<amzDate>\n<date>/<region>/
// <service>/aws4_request\n<hex SHA-256 of the canonical request>", the
// service "s3", "iam" or "sts"; see StringToSignV4): its signature is the
// hex HMAC-SHA256 with the key derived from the secret and the scope.
// Any other string to sign (an S3 Signature Version 2 one: "<verb>\n
// <Content-MD5>\n<Content-Type>\n<Date>\n<amz headers><resource>") is
// signed with base64(HMAC-SHA1).
//
// Keystone signs what it is sent and does not check the string's date.
// Errors are *Error values wrapping ErrMissing (no secret) or ErrInvalid
// (text that is not UTF-8, or an "AWS4" string to sign Keystone refuses).
func (c Credentials) SignS3(stringToSign string) (S3Signature, error) {
	const op = "sign s3"
	if c.Secret == "" {
		return S3Signature{}, newError(op, ErrMissing, "Secret", "")
	}
	if !utf8.ValidString(c.Secret) {
		return S3Signature{}, newError(op, ErrInvalid, "Secret", "not UTF-8")
	}
	token := base64.URLEncoding.EncodeToString([]byte(stringToSign))
	if !strings.HasPrefix(stringToSign, "AWS4") {
		return S3Signature{Token: token, Signature: b64mac(sha1.New, []byte(c.Secret), stringToSign)}, nil
	}
	parts := strings.Split(stringToSign, "\n")
	if len(parts) != 4 || parts[0] != Algorithm4 {
		return S3Signature{}, newError(op, ErrInvalid, "string to sign", `starts with "AWS4" but is not "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hash>"`)
	}
	scope := strings.Split(parts[2], "/")
	if len(scope) != 4 || scope[3] != "aws4_request" {
		return S3Signature{}, newError(op, ErrInvalid, "string to sign", "the scope is not <date>/<region>/<service>/aws4_request")
	}
	switch scope[2] {
	case "s3", "iam", "sts":
	default:
		return S3Signature{}, newError(op, ErrInvalid, "string to sign", `the scope's service is not "s3", "iam" or "sts"`)
	}
	key := hmac256([]byte("AWS4"+c.Secret), scope[0])
	for _, part := range []string{scope[1], scope[2], "aws4_request"} {
		key = hmac256(key, part)
	}
	return S3Signature{Token: token, Signature: hex.EncodeToString(hmac256(key, stringToSign))}, nil
}
