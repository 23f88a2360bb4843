package main

import "testing"

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"id": "ID", "domain_id": "DomainID", "tenantId": "TenantID", "password_expires_at": "PasswordExpiresAt",
		"OS-FEDERATION": "OSFEDERATION", "links": "Links", "ec2Credentials": "EC2Credentials", "idp_id": "IdPID",
		"tags-any": "TagsAny", "2fa": "X2fa", "user_ids": "UserIDs", "url": "URL",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArgName(t *testing.T) {
	for in, want := range map[string]string{
		"user_id": "userID", "idp_id": "idpID", "sp_id": "spID", "tag": "tag", "type": "type_", "prior_role_id": "priorRoleID",
	} {
		if got := argName(in); got != want {
			t.Errorf("argName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMethodDoc(t *testing.T) {
	for _, c := range []struct{ name, summary, want string }{
		{"List", "List projects.", "List lists projects."},
		{"Get", "Show a project.", "Get shows a project."},
		{"Has", "Check a tag.", "Has checks a tag."},
		{"Update", "Modify a policy.", "Update modifies a policy."},
		{"Delete", "Delete.", "Delete deletes."},
		{"X", "", "X calls op."},
	} {
		if got := methodDoc(&op{name: c.name, summary: c.summary, id: "op"}); got != c.want {
			t.Errorf("methodDoc(%q, %q) = %q, want %q", c.name, c.summary, got, c.want)
		}
	}
}

func TestLowerFirstWord(t *testing.T) {
	for in, want := range map[string]string{
		"A new credential.": "a new credential.", "Keystone's user": "keystone's user", "EC2 credential": "EC2 credential",
		"`secret` is": "`secret` is", "SAML2 assertion": "SAML2 assertion",
	} {
		if got := lowerFirstWord(in); got != want {
			t.Errorf("lowerFirstWord(%q) = %q, want %q", in, got, want)
		}
	}
}
