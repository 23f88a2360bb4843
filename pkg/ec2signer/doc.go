// Package ec2signer computes the signatures of requests signed with a
// Keystone EC2 credential, as python-keystoneclient's
// keystoneclient.contrib.ec2.utils.Ec2Signer does: that code is what
// Keystone's /v3/ec2tokens runs to check a signature, so a signature Sign
// makes is one Keystone accepts. SignS3 does the same for /v3/s3tokens.
//
// A service in front of Keystone (an EC2 or S3 API) sends Keystone what the
// client signed and the signature, and gets a token back if they match
// (identityv3's EC2Credentials.Validate and ValidateS3). A client, or a test,
// uses this package to make the signature:
//
//	creds := ec2signer.Credentials{Access: ec2.Access, Secret: *ec2.Secret}
//	req := ec2signer.Request{Verb: "GET", Host: "ec2.example.com", Path: "/",
//		Params: map[string]string{"SignatureVersion": "2", "Action": "DescribeInstances", …}}
//	sig, err := creds.Sign(req)
//
// The signature version comes from the request, as Keystone finds it: the
// SignatureVersion parameter for versions 0, 1 and 2, and for version 4
// (AWS Signature Version 4) an Authorization header starting with
// "AWS4-HMAC-SHA256" or, without one, the X-Amz-Algorithm parameter. Version
// 4 takes the credential scope and the signed headers from that header (or
// the X-Amz-Credential and X-Amz-SignedHeaders parameters), the date from
// X-Amz-Date, and the hash of the body from Request.BodyHash.
//
// Keystone also refuses a request whose Timestamp (versions 0 to 2) or
// X-Amz-Date (version 4) is older than its [credential] auth_ttl (15
// minutes by default): sign requests of now.
//
// Credentials hold the secret; printed, logged or JSON-encoded they show it
// as "***". Bad input is an error (an *Error wrapping ErrUnknownVersion,
// ErrUnexpectedFormat, ErrMissing, ErrInvalid or ErrDateMismatch), never a
// panic.
package ec2signer
