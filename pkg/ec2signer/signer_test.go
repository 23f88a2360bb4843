package ec2signer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/ec2signer"
)

// The expected signatures below were not computed by this package: they are
// the outputs of python-keystoneclient 5.0.1's Ec2Signer.generate (the code
// Keystone 22's /v3/ec2tokens runs) and of Keystone 22's s3tokens signature
// functions, recorded by running testdata/vectors.py with the system Python
// (/usr/bin/python3 testdata/vectors.py). The inputs here are the ones there.

const testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

var testCreds = ec2signer.Credentials{Access: "AKIDEXAMPLE", Secret: testSecret}

func TestSignVectors(t *testing.T) {
	tests := []struct {
		name    string
		req     ec2signer.Request
		version ec2signer.Version
		want    string
	}{
		{"v0", ec2signer.Request{Params: map[string]string{
			"Action": "DescribeInstances", "Timestamp": "2011-10-03T15:19:30Z", "SignatureVersion": "0"}},
			ec2signer.Version0, "ZX6t7fIci6+VLFUfPVPYnWdBPGU="},
		{"v0_unicode", ec2signer.Request{Params: map[string]string{
			"Action": "Descr\u00efbe", "Timestamp": "2011-10-03T15:19:30\u00e9", "SignatureVersion": "0"}},
			ec2signer.Version0, "pobo+97v+fI25XoyA30q6fsUaA0="},
		{"v1", ec2signer.Request{Params: map[string]string{
			"AWSAccessKeyId": "AKIDEXAMPLE", "Action": "DescribeInstances", "SignatureVersion": "1",
			"Timestamp": "2011-10-03T15:19:30Z", "Version": "2010-08-31",
			"aB": "x", "ab": "y", "zeta": "\u00fc \u2603"}},
			ec2signer.Version1, "/lzp3JAozR40uTef1zOaH3I85SE="},
		{"v2", ec2signer.Request{Verb: "GET", Host: "ec2.example.com:8773", Path: "/services/Cloud/",
			Params: map[string]string{
				"AWSAccessKeyId": "AKIDEXAMPLE", "Action": "DescribeInstances",
				"Filter.1.Value.1": "a b/c+d*e~f=g&h.i_j-k\u00fc", "SignatureMethod": "HmacSHA1",
				"SignatureVersion": "2", "Timestamp": "2011-10-03T15:19:30Z", "Version": "2010-08-31",
				"n\u00e4me /": "v"}},
			ec2signer.Version2, "BmXjgtvYhzjXOB15IsPUIfbuqaDer9NOYNBYKHmTqR4="},
		{"v2_no_method", ec2signer.Request{Verb: "POST", Host: "localhost", Path: "/",
			Params: map[string]string{"Action": "X", "SignatureVersion": "2"}},
			ec2signer.Version2, "1k6vPL/FFDKVmvHtS5s5JNzRsDGDJd3WuNJqgQbJTjE="},
		{"v4_header", ec2signer.Request{Verb: "get", Host: "ec2.example.com", Path: "/services/Cloud/",
			Params: map[string]string{"Action": "DescribeInstances", "Version": "2010-08-31", "b": "sp ce/\u00fc"},
			Headers: map[string]string{
				"Host":           "ec2.example.com:8773",
				"X-Amz-Date":     "20110909T233600Z",
				" Content-Type ": "  application/x-www-form-urlencoded; charset=utf-8 \x1f",
				"Authorization":  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/RegionOne/ec2/aws4_request, SignedHeaders=content-type;host;missing;x-amz-date, Signature=ignored",
			},
			BodyHash: ec2signer.EmptyBodyHash},
			ec2signer.Version4, "c817dcb7ece72ad054e1d516983692f372aa45b03bdccd035d8d30186580b3d1"},
		{"v4_query", ec2signer.Request{Verb: "GET", Host: "localhost", Path: "/",
			Params: map[string]string{
				"Action":              "DescribeRegions",
				"X-Amz-Algorithm":     "AWS4-HMAC-SHA256",
				"X-Amz-Credential":    "AKIDEXAMPLE/20110909/us-east-1/ec2/aws4_request",
				"X-Amz-Date":          "20110909T233600Z",
				"X-Amz-SignedHeaders": "host",
			},
			Headers:  map[string]string{"Host": "localhost:8773"},
			BodyHash: "UNSIGNED-PAYLOAD"},
			ec2signer.Version4, "60141490a98ff8004f153615992129c3af9079f98117ba055591ee7db6766485"},
		{"v4_post", ec2signer.Request{Verb: "POST", Host: "localhost", Path: "/services/Cloud",
			Params: map[string]string{"Action": "ignored for a POST"},
			Headers: map[string]string{
				"host": "localhost", "X-Amz-Date": "20110909T233600Z", "X-Unsigned": "not signed",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request/extra,SignedHeaders=host;x-amz-date",
			},
			BodyHash: ec2signer.BodyHash([]byte("hello"))},
			ec2signer.Version4, "13461c4db918e72dcca190a142efea6f3482dfd6c404ec944b63fb58a05244a4"},
		{"v4_old_boto", ec2signer.Request{Verb: "GET", Host: "localhost", Path: "/",
			Params: map[string]string{},
			Headers: map[string]string{
				"Host": "localhost:8773", "User-Agent": "Boto/2.9.2 Python/2.7", "X-Amz-Date": "20110909T233600Z",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request, SignedHeaders=host;user-agent;x-amz-date",
			},
			BodyHash: "x"},
			ec2signer.Version4, "ea903da45d0463880bffa30d4dfbed363f0142c7d8d59093233bfa4edb793179"},
		{"v4_no_signed_headers", ec2signer.Request{Verb: "GET", Host: "localhost", Path: "/",
			Headers: map[string]string{
				"Host": "localhost", "X-Amz-Date": "20110909T233600Z",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request",
			},
			BodyHash: "x"},
			ec2signer.Version4, "c34cf962c03ca86e94affb806f4bda9db0b996d98fd6aa2539d7de29191b0d8f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.req.Version()
			if err != nil || v != tt.version {
				t.Errorf("Version() = %v, %v; want %v", v, err, tt.version)
			}
			var before map[string]string
			if tt.req.Params != nil {
				before = map[string]string{}
				for k, v := range tt.req.Params {
					before[k] = v
				}
			}
			got, err := testCreds.Sign(tt.req)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if got != tt.want {
				t.Errorf("Sign = %q, want %q (Python's)", got, tt.want)
			}
			// Sign leaves the request alone (Python's v2 adds SignatureMethod).
			if len(before) != len(tt.req.Params) {
				t.Errorf("Sign changed Params: %v, was %v", tt.req.Params, before)
			}
			for k, v := range before {
				if tt.req.Params[k] != v {
					t.Errorf("Sign changed Params[%q] to %q, was %q", k, tt.req.Params[k], v)
				}
			}
		})
	}
}

func TestSignS3Vectors(t *testing.T) {
	tests := []struct{ name, stringToSign, token, signature string }{
		{"v1", "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg",
			"R0VUCgoKVHVlLCAyNyBNYXIgMjAwNyAxOTozNjo0MiArMDAwMAovam9obnNtaXRoL3Bob3Rvcy9wdXBweS5qcGc=",
			"lULJOcuAScRyg5WxFjGeXEXYO54="},
		{"v4", "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" +
			"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
			"QVdTNC1ITUFDLVNIQTI1NgoyMDEzMDUyNFQwMDAwMDBaCjIwMTMwNTI0L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QKNzM0NGFlNWI3ZWU2YzNlN2U2YjBmZTA2NDA0MTJhMzc2MjVkMWZiZmZmOTVjNDhiYmIyZGM0Mzk2NDk0Njk3Mg==",
			"67fe34c8530db585abddc51067328adfedb6e42487d2566dc7d927d6e2722900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testCreds.SignS3(tt.stringToSign)
			if err != nil {
				t.Fatal(err)
			}
			if got.Token != tt.token || got.Signature != tt.signature {
				t.Errorf("SignS3 = %+v, want token %q signature %q (Keystone's)", got, tt.token, tt.signature)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	if got := ec2signer.BodyHash(nil); got != ec2signer.EmptyBodyHash {
		t.Errorf("BodyHash(nil) = %q", got)
	}
	scope := ec2signer.ScopeV4("20110909", "RegionOne", "ec2")
	if scope != "20110909/RegionOne/ec2/aws4_request" {
		t.Errorf("ScopeV4 = %q", scope)
	}
	if got, want := ec2signer.AuthorizationV4("AK", scope, "host;x-amz-date", ""),
		"AWS4-HMAC-SHA256 Credential=AK/20110909/RegionOne/ec2/aws4_request, SignedHeaders=host;x-amz-date"; got != want {
		t.Errorf("AuthorizationV4 = %q, want %q", got, want)
	}
	if got := ec2signer.AuthorizationV4("AK", scope, "host", "abc"); !strings.HasSuffix(got, ", SignedHeaders=host, Signature=abc") {
		t.Errorf("AuthorizationV4 with a signature = %q", got)
	}
	// The vector s3_v4's string to sign is the AWS documentation's GET
	// Object example, whose canonical request this is.
	canonical := "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n" +
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
		"x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got, want := ec2signer.StringToSignV4("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", canonical),
		"AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"+
			"7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"; got != want {
		t.Errorf("StringToSignV4 = %q, want %q", got, want)
	}
	for v, s := range map[ec2signer.Version]string{ec2signer.Version0: "v0", ec2signer.Version4: "v4"} {
		if v.String() != s {
			t.Errorf("%d.String() = %q", int(v), v.String())
		}
	}
}

// A version 4 request signed before its signature is added to the
// Authorization header signs the same once it is there.
func TestSignV4SignatureInHeaderIgnored(t *testing.T) {
	scope := ec2signer.ScopeV4("20260101", "RegionOne", "ec2")
	req := ec2signer.Request{Verb: "GET", Host: "h", Path: "/", Params: map[string]string{"Action": "A"},
		Headers:  map[string]string{"Host": "h", "X-Amz-Date": "20260101T000000Z", "Authorization": ec2signer.AuthorizationV4("AK", scope, "host;x-amz-date", "")},
		BodyHash: ec2signer.EmptyBodyHash}
	sig, err := testCreds.Sign(req)
	if err != nil {
		t.Fatal(err)
	}
	req.Headers["Authorization"] = ec2signer.AuthorizationV4("AK", scope, "host;x-amz-date", sig)
	if again, err := testCreds.Sign(req); err != nil || again != sig {
		t.Errorf("with the signature in the header: %q, %v; want %q", again, err, sig)
	}
}

func TestSignErrors(t *testing.T) {
	v4 := func(mod func(*ec2signer.Request)) ec2signer.Request {
		r := ec2signer.Request{Verb: "GET", Host: "h", Path: "/", Params: map[string]string{},
			Headers: map[string]string{"Host": "h", "X-Amz-Date": "20110909T000000Z",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20110909/r/ec2/aws4_request, SignedHeaders=host"},
			BodyHash: "x"}
		if mod != nil {
			mod(&r)
		}
		return r
	}
	if _, err := testCreds.Sign(v4(nil)); err != nil {
		t.Fatalf("the base v4 request: %v", err)
	}
	tests := []struct {
		name  string
		creds ec2signer.Credentials
		req   ec2signer.Request
		want  error
	}{
		// Python: Exception('Unknown signature version: 3').
		{"unknown version", testCreds, ec2signer.Request{Params: map[string]string{"SignatureVersion": "3"}}, ec2signer.ErrUnknownVersion},
		{"version 4 as a parameter", testCreds, ec2signer.Request{Params: map[string]string{"SignatureVersion": "4"}}, ec2signer.ErrUnknownVersion},
		// Python: Exception('Unexpected signature format').
		{"no version", testCreds, ec2signer.Request{Params: map[string]string{"Action": "X"}}, ec2signer.ErrUnexpectedFormat},
		{"nothing", testCreds, ec2signer.Request{}, ec2signer.ErrUnexpectedFormat},
		{"authorization not v4", testCreds, ec2signer.Request{Params: map[string]string{"X-Amz-Algorithm": "AWS4-HMAC-SHA256"},
			Headers: map[string]string{"Authorization": "AWS AK:sig"}}, ec2signer.ErrUnexpectedFormat},
		// Python: KeyError.
		{"v0 no Timestamp", testCreds, ec2signer.Request{Params: map[string]string{"SignatureVersion": "0", "Action": "X"}}, ec2signer.ErrMissing},
		{"v0 no Action", testCreds, ec2signer.Request{Params: map[string]string{"SignatureVersion": "0", "Timestamp": "X"}}, ec2signer.ErrMissing},
		{"no secret", ec2signer.Credentials{Access: "AK"}, ec2signer.Request{Params: map[string]string{"SignatureVersion": "1"}}, ec2signer.ErrMissing},
		{"secret not UTF-8", ec2signer.Credentials{Secret: "\xff"}, ec2signer.Request{Params: map[string]string{"SignatureVersion": "1"}}, ec2signer.ErrInvalid},
		{"v1 value not UTF-8", testCreds, ec2signer.Request{Params: map[string]string{"SignatureVersion": "1", "A": "\xc3"}}, ec2signer.ErrInvalid},
		{"v2 name not UTF-8", testCreds, ec2signer.Request{Params: map[string]string{"SignatureVersion": "2", "\xc3": "A"}}, ec2signer.ErrInvalid},
		{"v2 path not UTF-8", testCreds, ec2signer.Request{Path: "/\xc3", Params: map[string]string{"SignatureVersion": "2"}}, ec2signer.ErrInvalid},
		{"v4 no body hash", testCreds, v4(func(r *ec2signer.Request) { r.BodyHash = "" }), ec2signer.ErrMissing},
		{"v4 no date", testCreds, v4(func(r *ec2signer.Request) { delete(r.Headers, "X-Amz-Date") }), ec2signer.ErrMissing},
		{"v4 lower-case date header", testCreds, v4(func(r *ec2signer.Request) {
			r.Headers["x-amz-date"] = r.Headers["X-Amz-Date"]
			delete(r.Headers, "X-Amz-Date")
		}), ec2signer.ErrMissing},
		// Python: Exception('Request date mismatch error').
		{"v4 date mismatch", testCreds, v4(func(r *ec2signer.Request) { r.Headers["X-Amz-Date"] = "20110910T000000Z" }), ec2signer.ErrDateMismatch},
		// Python: ValueError (not enough values to unpack).
		{"v4 short credential", testCreds, v4(func(r *ec2signer.Request) {
			r.Headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AK/20110909/r, SignedHeaders=host"
		}), ec2signer.ErrInvalid},
		{"v4 no credential in header", testCreds, v4(func(r *ec2signer.Request) {
			r.Headers["Authorization"] = "AWS4-HMAC-SHA256 SignedHeaders=host"
		}), ec2signer.ErrInvalid},
		{"v4 query no credential", testCreds, v4(func(r *ec2signer.Request) {
			delete(r.Headers, "Authorization")
			r.Params = map[string]string{"X-Amz-Algorithm": ec2signer.Algorithm4, "X-Amz-SignedHeaders": "host"}
		}), ec2signer.ErrMissing},
		{"v4 query no signed headers", testCreds, v4(func(r *ec2signer.Request) {
			delete(r.Headers, "Authorization")
			r.Params = map[string]string{"X-Amz-Algorithm": ec2signer.Algorithm4, "X-Amz-Credential": "AK/20110909/r/ec2/aws4_request"}
		}), ec2signer.ErrMissing},
		{"v4 colliding headers", testCreds, v4(func(r *ec2signer.Request) { r.Headers["host "] = "other" }), ec2signer.ErrInvalid},
		{"v4 header not UTF-8", testCreds, v4(func(r *ec2signer.Request) { r.Headers["Host"] = "\xff" }), ec2signer.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := tt.creds.Sign(tt.req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Sign = %q, %v; want an error wrapping %v", sig, err, tt.want)
			}
			var e *ec2signer.Error
			if !errors.As(err, &e) || e.Op == "" {
				t.Errorf("not an *Error with its Op: %#v", err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("the error shows the secret: %v", err)
			}
			t.Logf("%v", err)
		})
	}
}

func TestSignS3Errors(t *testing.T) {
	const scope = "\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\nhash"
	tests := []struct {
		name         string
		creds        ec2signer.Credentials
		stringToSign string
		want         error
	}{
		{"no secret", ec2signer.Credentials{Access: "AK"}, "GET\n", ec2signer.ErrMissing},
		{"AWS4 not v4", testCreds, "AWS4 whatever", ec2signer.ErrInvalid},
		{"other algorithm", testCreds, "AWS4-HMAC-SHA512" + scope, ec2signer.ErrInvalid},
		{"five lines", testCreds, "AWS4-HMAC-SHA256" + scope + "\n", ec2signer.ErrInvalid},
		{"short scope", testCreds, "AWS4-HMAC-SHA256\nd\n20130524/s3/aws4_request\nh", ec2signer.ErrInvalid},
		{"not aws4_request", testCreds, "AWS4-HMAC-SHA256\nd\n20130524/r/s3/aws5_request\nh", ec2signer.ErrInvalid},
		{"service ec2", testCreds, "AWS4-HMAC-SHA256\nd\n20130524/r/ec2/aws4_request\nh", ec2signer.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.creds.SignS3(tt.stringToSign)
			if !errors.Is(err, tt.want) {
				t.Fatalf("SignS3 = %+v, %v; want an error wrapping %v", got, err, tt.want)
			}
		})
	}
	for _, service := range []string{"s3", "iam", "sts"} {
		if _, err := testCreds.SignS3("AWS4-HMAC-SHA256\nd\n20130524/r/" + service + "/aws4_request\nh"); err != nil {
			t.Errorf("service %s: %v", service, err)
		}
	}
}

// FuzzSign checks that no input makes Sign or SignS3 panic.
func FuzzSign(f *testing.F) {
	f.Add("2", "GET", "h", "/", "Action", "X", "Authorization", "AWS4-HMAC-SHA256 Credential=AK/d/r/s/aws4_request, SignedHeaders=host", "x")
	f.Add("", "POST", "h:1", "/", "X-Amz-Algorithm", "AWS4-HMAC-SHA256", "X-Amz-Date", "d", "")
	f.Fuzz(func(t *testing.T, version, verb, host, path, pk, pv, hk, hv, body string) {
		req := ec2signer.Request{Verb: verb, Host: host, Path: path, BodyHash: body,
			Params:  map[string]string{"SignatureVersion": version, pk: pv},
			Headers: map[string]string{hk: hv, "X-Amz-Date": pv}}
		testCreds.Sign(req)
		delete(req.Params, "SignatureVersion")
		testCreds.Sign(req)
		testCreds.SignS3(hv)
	})
}
