// Command fedlab sets up the federation lab's Keystone through the SDK's
// managers, and checks it end to end (scripts/federation-lab.sh runs both).
//
//	fedlab setup   create the identity provider, mapping, protocol, project, group and grant
//	fedlab verify  password and client_credentials tokens → federated token → project token
//	fedlab setup-k2k, verify-k2k  the optional SAML2 part (FEDLAB_SAML=1): Keystone to
//	               Keystone through mod_shib (FEDLAB_IDP_KEYSTONE_URL)
//	fedlab setup-saml, verify-saml  the lab's pysaml2 identity provider (FEDLAB_SAML=1):
//	               the SDK's SAML2 ECP password plugin through mod_shib (FEDLAB_SAML_IDP_*);
//	               FEDLAB_SAML_TRACE_DIR=dir keeps the exchange's messages in dir
//
// Settings come from the environment the lab's env file exports
// (FEDLAB_KEYSTONE_URL, FEDLAB_ADMIN_PASSWORD, FEDLAB_OIDC_ISSUER, …).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/gokeystone/keystone/internal/fedlab"
	"github.com/gokeystone/keystone/pkg/keystone"
)

func main() {
	if len(os.Args) != 2 || !slices.Contains([]string{"setup", "verify", "setup-k2k", "verify-k2k", "setup-saml", "verify-saml"}, os.Args[1]) {
		fmt.Fprintln(os.Stderr, "usage: fedlab setup|verify|setup-k2k|verify-k2k|setup-saml|verify-saml (settings from the FEDLAB_* environment)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	logf := func(f string, a ...any) { fmt.Fprintf(os.Stderr, "fedlab: "+f+"\n", a...) }
	var err error
	switch os.Args[1] {
	case "setup":
		err = fedlab.Setup(ctx, options(), logf)
	case "verify":
		err = verify(ctx)
	case "setup-k2k":
		err = fedlab.SetupK2K(ctx, k2kOptions(), logf)
	case "verify-k2k":
		var r *fedlab.Result
		if r, err = fedlab.VerifyK2K(ctx, k2kOptions()); err == nil {
			if !slices.Contains(r.Roles, "member") {
				err = fmt.Errorf("K2K: the project token has roles %v, not member", r.Roles)
			} else {
				fmt.Printf("ok: Keystone to Keystone (SAML2 ECP through mod_shib): federated user %q, unscoped %d, rescoped %d to project %s with roles %v\n",
					r.UnscopedUser, r.UnscopedStatus, r.RescopedStatus, r.ProjectID, r.Roles)
			}
		}
	case "setup-saml":
		err = fedlab.SetupSAML(ctx, samlOptions(), logf)
	case "verify-saml":
		err = verifySAML(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fedlab:", err)
		os.Exit(1)
	}
}

func options() fedlab.Options {
	o := fedlab.Options{
		KeystoneURL:   os.Getenv("FEDLAB_KEYSTONE_URL"),
		AdminUser:     os.Getenv("FEDLAB_ADMIN_USER"),
		AdminPassword: os.Getenv("FEDLAB_ADMIN_PASSWORD"),
		AdminProject:  os.Getenv("FEDLAB_ADMIN_PROJECT"),
		Issuer:        os.Getenv("FEDLAB_OIDC_ISSUER"),
		IdP:           os.Getenv("FEDLAB_IDP"),
		Protocol:      os.Getenv("FEDLAB_PROTOCOL"),
		Project:       os.Getenv("FEDLAB_PROJECT"),
		ClaimPrefix:   os.Getenv("FEDLAB_CLAIM_PREFIX"),
	}
	if id := os.Getenv("FEDLAB_OIDC_CLIENT_ID"); id != "" {
		o.ServiceClients = []string{id}
	}
	return o
}

func k2kOptions() fedlab.K2KOptions {
	return fedlab.K2KOptions{SP: options(), IdPKeystoneURL: os.Getenv("FEDLAB_IDP_KEYSTONE_URL"),
		IdP: os.Getenv("FEDLAB_K2K_IDP"), ServiceProvider: os.Getenv("FEDLAB_K2K_SP")}
}

func samlOptions() fedlab.SAMLOptions {
	return fedlab.SAMLOptions{SP: options(), IdP: os.Getenv("FEDLAB_SAML_IDP"), Protocol: os.Getenv("FEDLAB_SAML_PROTOCOL"),
		IdPEntityID: os.Getenv("FEDLAB_SAML_IDP_ENTITY_ID"), ECPURL: os.Getenv("FEDLAB_SAML_IDP_ECP_URL"),
		User: os.Getenv("FEDLAB_SAML_USER"), Password: os.Getenv("FEDLAB_SAML_PASSWORD"),
		TraceDir: os.Getenv("FEDLAB_SAML_TRACE_DIR")}
}

// verifySAML logs in with the SDK's SAML2 ECP password plugin, and checks
// that a wrong password is refused by the identity provider.
func verifySAML(ctx context.Context) error {
	o := samlOptions()
	a, err := fedlab.VerifySAML(ctx, o)
	if err != nil {
		return fmt.Errorf("SAML2 ECP (authplugin.NewSAML2Password, user %s): %w", o.User, err)
	}
	var roles []string
	for _, r := range a.Roles {
		roles = append(roles, r.Name)
	}
	if !a.ProjectScoped() || !slices.Contains(roles, "member") {
		return fmt.Errorf("SAML2 ECP: the token is not scoped to the project with member (project %+v, roles %v)", a.Project, roles)
	}
	idp, proto := "", ""
	if f := a.User.Federated; f != nil {
		idp, proto = f.IdentityProviderID, f.ProtocolID
	}
	fmt.Printf("ok: SAML2 ECP password plugin (pysaml2 IdP, mod_shib): federated user %q (%s/%s), token scoped to project %s (%s) with roles %v\n",
		a.User.Name, idp, proto, a.Project.Name, a.Project.ID, roles)
	bad := o
	bad.Password += "-wrong"
	bad.TraceDir = ""
	if _, err := fedlab.VerifySAML(ctx, bad); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		return fmt.Errorf("SAML2 ECP with a wrong password: want an authorization failure, got %v", err)
	}
	fmt.Println("ok: SAML2 ECP password plugin: a wrong password is refused by the identity provider")
	return nil
}

func verify(ctx context.Context) error {
	o := options()
	hc, err := fedlab.HTTPClient(os.Getenv("FEDLAB_OIDC_CA_FILE"))
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	tokenURL := strings.TrimSuffix(o.Issuer, "/") + "/token"
	base := fedlab.Credentials{TokenURL: tokenURL, ClientID: os.Getenv("FEDLAB_OIDC_CLIENT_ID"), ClientSecret: os.Getenv("FEDLAB_OIDC_CLIENT_SECRET")}
	user := base
	user.User, user.Password = os.Getenv("FEDLAB_OIDC_USER"), os.Getenv("FEDLAB_OIDC_PASSWORD")
	for _, c := range []struct {
		name string
		cr   fedlab.Credentials
	}{{"password grant (user " + user.User + ")", user}, {"client_credentials grant (client " + base.ClientID + ")", base}} {
		r, err := fedlab.Verify(ctx, hc, o, c.cr)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if !slices.Contains(r.Roles, "member") {
			return fmt.Errorf("%s: the project token has roles %v, not member", c.name, r.Roles)
		}
		fmt.Printf("ok: %s: federated user %q, unscoped %d, rescoped %d to project %s with roles %v\n",
			c.name, r.UnscopedUser, r.UnscopedStatus, r.RescopedStatus, r.ProjectID, r.Roles)
	}
	return nil
}
