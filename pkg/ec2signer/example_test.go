package ec2signer_test

import (
	"fmt"
	"log"

	"github.com/gokeystone/keystone/pkg/ec2signer"
)

// Sign an EC2 query API request (Signature Version 2), then a Signature
// Version 4 one: the signatures Keystone's /v3/ec2tokens recomputes. Send
// them with identityv3's EC2Credentials.Validate. (python-keystoneclient's
// Ec2Signer computes the same signatures.)
func Example() {
	creds := ec2signer.Credentials{Access: "AKIDEXAMPLE", Secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}

	v2 := ec2signer.Request{Verb: "GET", Host: "ec2.example.com", Path: "/", Params: map[string]string{
		"Action":           "DescribeInstances",
		"AWSAccessKeyId":   creds.Access,
		"SignatureMethod":  "HmacSHA256",
		"SignatureVersion": "2",
		"Timestamp":        "2011-10-03T15:19:30Z",
	}}
	sig, err := creds.Sign(v2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("v2:", sig)

	// Version 4: the Authorization header names the scope and the signed
	// headers; sign without the signature, then add it.
	scope := ec2signer.ScopeV4("20111003", "RegionOne", "ec2")
	v4 := ec2signer.Request{Verb: "GET", Host: "ec2.example.com", Path: "/",
		Params: map[string]string{"Action": "DescribeInstances"},
		Headers: map[string]string{
			"Host":          "ec2.example.com",
			"X-Amz-Date":    "20111003T151930Z",
			"Authorization": ec2signer.AuthorizationV4(creds.Access, scope, "host;x-amz-date", ""),
		},
		BodyHash: ec2signer.EmptyBodyHash,
	}
	sig, err = creds.Sign(v4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("v4:", sig)
	fmt.Println(creds) // the secret is never shown
	// Output:
	// v2: 7v3jmXwGszLGzlnScVPmJif9pn/0/LMV/vC++se60Y8=
	// v4: ff0186d39fc969cde57497fbd87974e11f49fca1a3e8d374aedbb7c68b87adcc
	// Credentials{Access: "AKIDEXAMPLE", Secret: "***"}
}

// Sign an S3 request's string to sign, for Keystone's /v3/s3tokens
// (identityv3's EC2Credentials.ValidateS3).
func ExampleCredentials_SignS3() {
	creds := ec2signer.Credentials{Access: "AKIDEXAMPLE", Secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	s3, err := creds.SignS3("GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s3.Signature)
	// Output:
	// lULJOcuAScRyg5WxFjGeXEXYO54=
}
