//go:build integration

package ec2signer_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gokeystone/keystone/api"
	"github.com/gokeystone/keystone/internal/specvalidate"
	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/ec2signer"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// These tests run against the real Keystone that testenv finds
// (scripts/keystone-local.sh start; KEYSTONE_URL and the others from its env
// file): they skip without one, and fail without one in CI. Signatures the
// signer makes with an EC2 credential of the admin user on the admin project
// must get a token from /v3/ec2tokens and /v3/s3tokens, and signatures made
// with another secret a 401.

// realAdmin returns a client of the real Keystone as its bootstrap admin,
// scoped to the admin project (ec2tokens and s3tokens are for admins and
// services), and the admin's access.
func realAdmin(t *testing.T) (*identityv3.Client, *keystone.AccessInfo) {
	t.Helper()
	return realAdminWith(t, true)
}

// realAdminWith is realAdmin, with the spec-validating transport or not.
func realAdminWith(t *testing.T, validate bool) (*identityv3.Client, *keystone.AccessInfo) {
	t.Helper()
	ks := testenv.Require(t)
	opts := []keystone.SessionOption{keystone.WithTimeout(time.Minute)}
	if validate {
		opts = append(opts, keystone.WithTransport(validating(t, ks)))
	}
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(append(opts, keystone.WithAuth(auth))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.CloseIdleConnections)
	c, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := s.Auth().Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil {
		t.Fatal("the admin's token is not project-scoped")
	}
	return c, ai
}

// validating is a transport that checks every exchange with the real
// Keystone against api/identity-v3.yaml (as identityv3's integration tests
// do): a request or response the spec does not describe fails the test.
func validating(t *testing.T, ks testenv.Keystone) http.RoundTripper {
	t.Helper()
	next := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(next.CloseIdleConnections)
	d, err := specvalidate.New(api.IdentityV3, keystone.UnversionedURL(ks.URL), next)
	if err != nil {
		t.Fatal(err)
	}
	d.ContinueOnInvalidRequest = true
	t.Cleanup(func() {
		for _, f := range d.Failures() {
			t.Errorf("not as the spec says: %v", f)
		}
	})
	return doerTransport{d}
}

type doerTransport struct{ d *specvalidate.Doer }

func (t doerTransport) RoundTrip(req *http.Request) (*http.Response, error) { return t.d.Do(req) }

// ec2Request is a signed request as /v3/ec2tokens takes it.
func ec2Request(creds ec2signer.Credentials, r ec2signer.Request, sig string) identityv3.EC2TokenCredentials {
	out := identityv3.EC2TokenCredentials{Access: creds.Access, Signature: sig, Params: r.Params, Headers: r.Headers,
		Host: &r.Host, Verb: &r.Verb, Path: &r.Path}
	if r.BodyHash != "" {
		out.BodyHash = &r.BodyHash
	}
	return out
}

// s3Validate posts a signed string to sign to /v3/s3tokens with the
// session, and returns the ID of the user of the token Keystone answers
// with (identityv3's ValidateS3 cannot: see TestIntegrationValidateS3).
func s3Validate(ctx context.Context, c *identityv3.Client, access string, s3 ec2signer.S3Signature) (string, error) {
	resp, err := c.Session().Request(ctx, keystone.Request{Method: http.MethodPost, Endpoint: &keystone.EndpointFilter{ServiceType: "identity"},
		URL: "s3tokens", JSON: map[string]any{"credentials": identityv3.S3TokenCredentials{Access: access, Token: s3.Token, Signature: s3.Signature}}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var out struct {
		Token struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", err
	}
	return out.Token.User.ID, nil
}

// newEC2Credential creates an EC2 credential of the admin on its project,
// deleted at the end of the test.
func newEC2Credential(t *testing.T, c *identityv3.Client, ai *keystone.AccessInfo) ec2signer.Credentials {
	t.Helper()
	ec2, err := c.EC2Credentials.Create(t.Context(), ai.User.ID, identityv3.EC2CredentialCreateRequest{TenantID: ai.Project.ID})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.EC2Credentials.Delete(context.Background(), ai.User.ID, ec2.Access); err != nil {
			t.Errorf("delete the EC2 credential: %v", err)
		}
	})
	if ec2.Secret == nil || *ec2.Secret == "" {
		t.Fatal("no secret in the created EC2 credential")
	}
	return ec2signer.Credentials{Access: ec2.Access, Secret: *ec2.Secret}
}

// ec2Requests are a request of each signature version, timestamped now
// (Keystone refuses one older than its auth_ttl).
func ec2Requests(access string) map[string]ec2signer.Request {
	now := time.Now().UTC()
	ts := now.Format("2006-01-02T15:04:05Z")
	amzDate := now.Format("20060102T150405Z")
	scope := ec2signer.ScopeV4(now.Format("20060102"), "RegionOne", "ec2")
	query := func(version string) map[string]string {
		return map[string]string{"Action": "DescribeInstances", "AWSAccessKeyId": access, "SignatureVersion": version,
			"Timestamp": ts, "Version": "2016-11-15", "Filter.1.Name": "tag:Name", "Filter.1.Value.1": "web server/ü"}
	}
	v2 := query("2")
	v2["SignatureMethod"] = "HmacSHA256"
	return map[string]ec2signer.Request{
		"v0": {Host: "127.0.0.1:8773", Verb: "GET", Path: "/", Params: query("0")},
		"v1": {Host: "127.0.0.1:8773", Verb: "GET", Path: "/", Params: query("1")},
		"v2": {Host: "ec2.example.com:8773", Verb: "GET", Path: "/services/Cloud/", Params: v2},
		"v4 header": {Host: "ec2.example.com", Verb: "GET", Path: "/",
			Params: map[string]string{"Action": "DescribeRegions", "Version": "2016-11-15"},
			Headers: map[string]string{"Host": "ec2.example.com:8773", "X-Amz-Date": amzDate,
				"Authorization": ec2signer.AuthorizationV4(access, scope, "host;x-amz-date", "")},
			BodyHash: ec2signer.EmptyBodyHash},
		"v4 query": {Host: "ec2.example.com", Verb: "GET", Path: "/",
			Params: map[string]string{"Action": "DescribeRegions", "X-Amz-Algorithm": ec2signer.Algorithm4,
				"X-Amz-Credential": access + "/" + scope, "X-Amz-Date": amzDate, "X-Amz-SignedHeaders": "host"},
			Headers:  map[string]string{"Host": "ec2.example.com"},
			BodyHash: "UNSIGNED-PAYLOAD"},
		"v4 POST": {Host: "ec2.example.com", Verb: "POST", Path: "/",
			// A POST's parameters are in its body, which BodyHash covers;
			// Keystone wants a params member anyway (see
			// TestIntegrationV4PostWithoutParams).
			Params: map[string]string{"Action": "DescribeRegions"},
			Headers: map[string]string{"Host": "ec2.example.com", "X-Amz-Date": amzDate,
				"Content-Type":  "application/x-www-form-urlencoded; charset=utf-8",
				"Authorization": ec2signer.AuthorizationV4(access, scope, "content-type;host;x-amz-date", "")},
			BodyHash: ec2signer.BodyHash([]byte("Action=DescribeRegions&Version=2016-11-15"))},
	}
}

// A signature of each version gets a token for the credential's user and
// project at /v3/ec2tokens; the same request signed with another secret is
// refused with a 401.
func TestIntegrationEC2Tokens(t *testing.T) {
	c, admin := realAdmin(t)
	creds := newEC2Credential(t, c, admin)
	wrong := ec2signer.Credentials{Access: creds.Access, Secret: creds.Secret + "-wrong"}
	for name, req := range ec2Requests(creds.Access) {
		t.Run(name, func(t *testing.T) {
			sig, err := creds.Sign(req)
			if err != nil {
				t.Fatal(err)
			}
			if req.Headers["Authorization"] != "" {
				// What a client sends: the header with its signature.
				req.Headers["Authorization"] += ", Signature=" + sig
			}
			ai, err := c.EC2Credentials.Validate(t.Context(), ec2Request(creds, req, sig))
			if err != nil {
				t.Fatalf("Keystone refuses the %s signature: %v", name, err)
			}
			if ai.Token() == "" || ai.User.ID != admin.User.ID || ai.Project == nil || ai.Project.ID != admin.Project.ID {
				t.Errorf("the token is not the admin's on its project: %v", ai)
			}
			if len(ai.Methods) != 1 || ai.Methods[0] != "ec2credential" {
				t.Errorf("methods %v, want [ec2credential]", ai.Methods)
			}

			bad, err := wrong.Sign(req)
			if err != nil {
				t.Fatal(err)
			}
			if bad == sig {
				t.Fatal("another secret signs the same")
			}
			_, err = c.EC2Credentials.Validate(t.Context(), ec2Request(creds, req, bad))
			if !errors.Is(err, keystone.ErrUnauthorized) {
				t.Errorf("a signature with the wrong secret: %v, want a 401", err)
			}
		})
	}
}

// s3StringsToSign are an S3 Signature Version 2 string to sign and a
// Signature Version 4 one, of now.
func s3StringsToSign() map[string]string {
	now := time.Now().UTC()
	amzDate := now.Format("20060102T150405Z")
	canonical := "GET\n/bucket/object.txt\n\nhost:s3.example.com\nx-amz-content-sha256:" + ec2signer.EmptyBodyHash +
		"\nx-amz-date:" + amzDate + "\n\nhost;x-amz-content-sha256;x-amz-date\n" + ec2signer.EmptyBodyHash
	return map[string]string{
		"v1": "GET\n\n\n" + now.Format(http.TimeFormat) + "\n/bucket/object.txt",
		"v4": ec2signer.StringToSignV4(amzDate, ec2signer.ScopeV4(now.Format("20060102"), "RegionOne", "s3"), canonical),
	}
}

// An S3 signature (v1, that is S3's Signature Version 2, and v4) gets a
// token at /v3/s3tokens; one with another secret is refused with a 401.
func TestIntegrationS3Tokens(t *testing.T) {
	c, admin := realAdmin(t)
	creds := newEC2Credential(t, c, admin)
	wrong := ec2signer.Credentials{Access: creds.Access, Secret: creds.Secret + "-wrong"}
	for name, sts := range s3StringsToSign() {
		t.Run(name, func(t *testing.T) {
			s3, err := creds.SignS3(sts)
			if err != nil {
				t.Fatal(err)
			}
			user, err := s3Validate(t.Context(), c, creds.Access, s3)
			if err != nil {
				t.Fatalf("Keystone refuses the %s signature: %v", name, err)
			}
			if user != admin.User.ID {
				t.Errorf("the token's user is %q, want the admin %q", user, admin.User.ID)
			}
			bad, err := wrong.SignS3(sts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s3Validate(t.Context(), c, creds.Access, bad); !errors.Is(err, keystone.ErrUnauthorized) {
				t.Errorf("a signature with the wrong secret: %v, want a 401", err)
			}
		})
	}
}

// identityv3's ValidateS3 returns the token data /v3/s3tokens answers with
// (no X-Subject-Token header: the AccessInfo has no token).
func TestIntegrationValidateS3(t *testing.T) {
	c, admin := realAdmin(t)
	creds := newEC2Credential(t, c, admin)
	s3, err := creds.SignS3(s3StringsToSign()["v1"])
	if err != nil {
		t.Fatal(err)
	}
	ai, err := c.EC2Credentials.ValidateS3(t.Context(), identityv3.S3TokenCredentials{Access: creds.Access, Token: s3.Token, Signature: s3.Signature})
	if err != nil {
		t.Fatal(err)
	}
	if ai.Token() != "" {
		t.Errorf("an S3 validation issues no token, got one")
	}
	if ai.User.ID != admin.User.ID {
		t.Errorf("the token's user is %q, want %q", ai.User.ID, admin.User.ID)
	}
}

// A v4 POST has no parameters to sign, but Keystone reads a params member
// anyway: Validate sends an empty one.
func TestIntegrationV4PostWithoutParams(t *testing.T) {
	c, admin := realAdminWith(t, true)
	creds := newEC2Credential(t, c, admin)
	req := ec2Requests(creds.Access)["v4 POST"]
	req.Params = map[string]string{}
	sig, err := creds.Sign(req)
	if err != nil {
		t.Fatal(err)
	}
	req2 := ec2Request(creds, req, sig)
	req2.Params = nil
	_, err = c.EC2Credentials.Validate(t.Context(), req2)
	if err != nil {
		t.Fatalf("Keystone refuses a v4 POST without parameters: %v", err)
	}
}
