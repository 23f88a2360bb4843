//go:build integration

package contract

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

func userIDs(us []v3.User) []string {
	var ids []string
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	return ids
}

func TestUsers(t *testing.T) {
	project := newProject(t, v3.ProjectCreate{})
	password := uniq("pw")
	u := newUser(t, v3.UserCreate{
		Password:             nullable.NewNullableWithValue(password),
		DefaultProjectID:     nullable.NewNullableWithValue(project.ID),
		Options:              &v3.UserOptions{IgnorePasswordExpiry: nullable.NewNullableWithValue(true)},
		AdditionalProperties: map[string]interface{}{"email": "ct@example.invalid"},
	})
	disabled := newUser(t, v3.UserCreate{Enabled: ptr(false)})

	t.Run("createUser", func(t *testing.T) {
		if !u.Enabled || u.DomainID != ks.Domain || u.DefaultProjectID == nil || *u.DefaultProjectID != project.ID {
			t.Errorf("created %+v", u)
		}
		if v, _ := u.Get("email"); v != "ct@example.invalid" {
			t.Errorf("extra attribute lost: %v", u.AdditionalProperties)
		}
		if !u.Options.IgnorePasswordExpiry.MustGet() {
			t.Errorf("options = %+v", u.Options)
		}
		if !u.PasswordExpiresAt.IsSpecified() || !u.PasswordExpiresAt.IsNull() {
			t.Errorf("password_expires_at = %v", u.PasswordExpiresAt)
		}
		if disabled.Enabled {
			t.Error("enabled=false ignored")
		}
		r, err := adm.CreateUserWithResponse(t.Context(), v3.UserCreateRequest{User: v3.UserCreate{Name: u.Name, DomainID: &ks.Domain}})
		expectError(t, r, err, 409)
		r, err = adm.CreateUserWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(`{"user": {"name": " "}}`))
		expectError(t, r, err, 400)
	})
	t.Run("getUser", func(t *testing.T) {
		r, err := adm.GetUserWithResponse(t.Context(), u.ID)
		expect(t, r, err, 200)
		if r.JSON200.User.Name != u.Name {
			t.Errorf("got %+v", r.JSON200.User)
		}
		r, err = adm.GetUserWithResponse(t.Context(), "no-such-user")
		expectError(t, r, err, 404)
	})
	t.Run("listUsers", func(t *testing.T) {
		list := func(p v3.ListUsersParams) []string {
			r, err := adm.ListUsersWithResponse(t.Context(), &p)
			expect(t, r, err, 200)
			return userIDs(r.JSON200.Users)
		}
		if got := list(v3.ListUsersParams{Name: &u.Name, DomainID: &ks.Domain}); !slices.Equal(got, []string{u.ID}) {
			t.Errorf("name: %v", got)
		}
		if got := list(v3.ListUsersParams{Enabled: ptr(false)}); !slices.Contains(got, disabled.ID) || slices.Contains(got, u.ID) {
			t.Errorf("enabled=false: %v", got)
		}
		if got := list(v3.ListUsersParams{PasswordExpiresAt: ptr("lt:2000-01-01T00:00:00Z")}); slices.Contains(got, u.ID) {
			t.Errorf("password_expires_at: %v", got)
		}
		got := list(v3.ListUsersParams{SortKey: ptr("name"), SortDir: ptr(v3.ListUsersParamsSortDirDesc), Limit: ptr(500)})
		if !slices.Contains(got, u.ID) {
			t.Errorf("sorted list lacks %s", u.ID)
		}
		// Federation filters: no federated user here, so nothing matches.
		if got := list(v3.ListUsersParams{IdpID: ptr("ct-none"), ProtocolID: ptr("ct-none"), UniqueID: ptr("ct-none")}); len(got) != 0 {
			t.Errorf("federation filters: %v", got)
		}
	})
	t.Run("updateUser", func(t *testing.T) {
		r, err := adm.UpdateUserWithResponse(t.Context(), u.ID, v3.UserUpdateRequest{User: v3.UserUpdate{
			DefaultProjectID: nullable.NewNullNullable[string](),
			Enabled:          ptr(false),
		}})
		expect(t, r, err, 200)
		if got := r.JSON200.User; got.Enabled || got.DefaultProjectID != nil {
			t.Errorf("updated %+v", got)
		}
		r, err = adm.UpdateUserWithResponse(t.Context(), u.ID, v3.UserUpdateRequest{User: v3.UserUpdate{Enabled: ptr(true)}})
		expect(t, r, err, 200)
		r, err = adm.UpdateUserWithResponse(t.Context(), disabled.ID, v3.UserUpdateRequest{User: v3.UserUpdate{Name: &u.Name}})
		expectError(t, r, err, 409)
		r, err = adm.UpdateUserWithResponse(t.Context(), "no-such-user", v3.UserUpdateRequest{User: v3.UserUpdate{Enabled: ptr(true)}})
		expectError(t, r, err, 404)
		r, err = adm.UpdateUserWithBodyWithResponse(invalid(t), u.ID, "application/json", strings.NewReader(`{"user": {}}`))
		expectError(t, r, err, 400)
	})
	t.Run("changeUserPassword", func(t *testing.T) {
		token, _ := issue(t, passwordByID(u.ID, password, nil))
		self := newClient(token)
		wrong, err := self.ChangeUserPasswordWithResponse(t.Context(), u.ID, v3.UserPasswordChangeRequest{User: v3.UserPasswordChange{
			OriginalPassword: "not-the-password", Password: "whatever-1",
		}})
		expectError(t, wrong, err, 401)
		newPassword := uniq("pw")
		r, err := self.ChangeUserPasswordWithResponse(t.Context(), u.ID, v3.UserPasswordChangeRequest{User: v3.UserPasswordChange{
			OriginalPassword: password, Password: newPassword,
		}})
		expect(t, r, err, 204)
		// The change revokes the user's tokens, including any issued within the
		// same second (Keystone's revocation events have a one-second resolution).
		time.Sleep(1100 * time.Millisecond)
		issue(t, passwordByID(u.ID, newPassword, nil)) // the new password works
		old, err := anon.IssueTokenWithResponse(t.Context(), nil, passwordByID(u.ID, password, nil))
		expectError(t, old, err, 401) // the old one no longer does
		password = newPassword
		bad, err := self.ChangeUserPasswordWithBodyWithResponse(invalid(t), u.ID, "application/json", strings.NewReader(`{"user": {"password": "x"}}`))
		expectError(t, bad, err, 400)
	})
	t.Run("listUserProjects", func(t *testing.T) {
		r, err := adm.GrantProjectUserRoleWithResponse(t.Context(), project.ID, u.ID, roleID(t, "member"))
		expect(t, r, err, 204)
		l, err := adm.ListUserProjectsWithResponse(t.Context(), u.ID, &v3.ListUserProjectsParams{DomainID: &ks.Domain, Enabled: ptr(true)})
		expect(t, l, err, 200)
		if len(l.JSON200.Projects) != 1 || l.JSON200.Projects[0].ID != project.ID {
			t.Errorf("projects = %+v", l.JSON200.Projects)
		}
		l, err = adm.ListUserProjectsWithResponse(t.Context(), u.ID, &v3.ListUserProjectsParams{Name: ptr("ct-no-such-project")})
		expect(t, l, err, 200)
		if len(l.JSON200.Projects) != 0 {
			t.Errorf("name filter ignored: %+v", l.JSON200.Projects)
		}
		l, err = adm.ListUserProjectsWithResponse(t.Context(), "no-such-user", nil)
		expectError(t, l, err, 404)
	})
	t.Run("403 for a reader", func(t *testing.T) {
		_, _, reader := userWithRole(t, "reader")
		r, err := reader.CreateUserWithResponse(t.Context(), v3.UserCreateRequest{User: v3.UserCreate{Name: uniq("user")}})
		expectError(t, r, err, 403)
		d, err := reader.DeleteUserWithResponse(t.Context(), u.ID)
		expectError(t, d, err, 403)
	})
	t.Run("deleteUser", func(t *testing.T) {
		victim := newUser(t, v3.UserCreate{})
		r, err := adm.DeleteUserWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		r, err = adm.DeleteUserWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}

func TestGroups(t *testing.T) {
	g := newGroup(t, v3.GroupCreate{
		Description:          nullable.NewNullableWithValue("contract group"),
		AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	member := newUser(t, v3.UserCreate{})
	outsider := newUser(t, v3.UserCreate{})

	t.Run("createGroup", func(t *testing.T) {
		if g.DomainID != ks.Domain || g.Description.MustGet() != "contract group" {
			t.Errorf("created %+v", g)
		}
		if v, _ := g.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", g.AdditionalProperties)
		}
		r, err := adm.CreateGroupWithResponse(t.Context(), v3.GroupCreateRequest{Group: v3.GroupCreate{Name: g.Name, DomainID: &ks.Domain}})
		expectError(t, r, err, 409)
		r, err = adm.CreateGroupWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(`{"group": {}}`))
		expectError(t, r, err, 400)
	})
	t.Run("getGroup", func(t *testing.T) {
		r, err := adm.GetGroupWithResponse(t.Context(), g.ID)
		expect(t, r, err, 200)
		if r.JSON200.Group.Name != g.Name {
			t.Errorf("got %+v", r.JSON200.Group)
		}
		r, err = adm.GetGroupWithResponse(t.Context(), "no-such-group")
		expectError(t, r, err, 404)
	})
	t.Run("listGroups", func(t *testing.T) {
		r, err := adm.ListGroupsWithResponse(t.Context(), &v3.ListGroupsParams{Name: &g.Name, DomainID: &ks.Domain})
		expect(t, r, err, 200)
		if len(r.JSON200.Groups) != 1 || r.JSON200.Groups[0].ID != g.ID {
			t.Errorf("groups = %+v", r.JSON200.Groups)
		}
	})
	t.Run("updateGroup", func(t *testing.T) {
		r, err := adm.UpdateGroupWithResponse(t.Context(), g.ID, v3.GroupUpdateRequest{Group: v3.GroupUpdate{
			Description: nullable.NewNullNullable[string](),
		}})
		expect(t, r, err, 200)
		if !r.JSON200.Group.Description.IsNull() {
			t.Errorf("description = %v", r.JSON200.Group.Description)
		}
		other := newGroup(t, v3.GroupCreate{})
		r, err = adm.UpdateGroupWithResponse(t.Context(), other.ID, v3.GroupUpdateRequest{Group: v3.GroupUpdate{Name: &g.Name}})
		expectError(t, r, err, 409)
		r, err = adm.UpdateGroupWithResponse(t.Context(), "no-such-group", v3.GroupUpdateRequest{Group: v3.GroupUpdate{Name: ptr(uniq("g"))}})
		expectError(t, r, err, 404)
	})
	t.Run("membership", func(t *testing.T) {
		r, err := adm.AddUserToGroupWithResponse(t.Context(), g.ID, member.ID)
		expect(t, r, err, 204)
		r, err = adm.AddUserToGroupWithResponse(t.Context(), g.ID, member.ID)
		expect(t, r, err, 204) // adding again is fine
		r, err = adm.AddUserToGroupWithResponse(t.Context(), g.ID, "no-such-user")
		expectError(t, r, err, 404)

		c, err := adm.CheckUserInGroupWithResponse(t.Context(), g.ID, member.ID)
		expect(t, c, err, 204)
		c, err = adm.CheckUserInGroupWithResponse(t.Context(), g.ID, outsider.ID)
		expect(t, c, err, 404)

		l, err := adm.ListGroupUsersWithResponse(t.Context(), g.ID, &v3.ListGroupUsersParams{Enabled: ptr(true), DomainID: &ks.Domain})
		expect(t, l, err, 200)
		if got := userIDs(l.JSON200.Users); !slices.Equal(got, []string{member.ID}) {
			t.Errorf("members = %v", got)
		}
		l, err = adm.ListGroupUsersWithResponse(t.Context(), g.ID, &v3.ListGroupUsersParams{Name: &outsider.Name, PasswordExpiresAt: ptr("gt:2000-01-01T00:00:00Z")})
		expect(t, l, err, 200)
		if len(l.JSON200.Users) != 0 {
			t.Errorf("filters ignored: %v", userIDs(l.JSON200.Users))
		}
		l, err = adm.ListGroupUsersWithResponse(t.Context(), "no-such-group", nil)
		expectError(t, l, err, 404)

		ug, err := adm.ListUserGroupsWithResponse(t.Context(), member.ID, nil)
		expect(t, ug, err, 200)
		if len(ug.JSON200.Groups) != 1 || ug.JSON200.Groups[0].ID != g.ID {
			t.Fatalf("groups of member = %+v", ug.JSON200.Groups)
		}
		if e := ug.JSON200.Groups[0].MembershipExpiresAt; !e.IsSpecified() || !e.IsNull() {
			t.Errorf("membership_expires_at = %v, want null", e)
		}
		ug, err = adm.ListUserGroupsWithResponse(t.Context(), member.ID, &v3.ListUserGroupsParams{Name: ptr("ct-no-such-group")})
		expect(t, ug, err, 200)
		if len(ug.JSON200.Groups) != 0 {
			t.Errorf("name filter ignored: %+v", ug.JSON200.Groups)
		}
		ug, err = adm.ListUserGroupsWithResponse(t.Context(), "no-such-user", nil)
		expectError(t, ug, err, 404)

		d, err := adm.RemoveUserFromGroupWithResponse(t.Context(), g.ID, member.ID)
		expect(t, d, err, 204)
		d, err = adm.RemoveUserFromGroupWithResponse(t.Context(), g.ID, member.ID)
		expectError(t, d, err, 404)
	})
	t.Run("deleteGroup", func(t *testing.T) {
		victim := newGroup(t, v3.GroupCreate{})
		r, err := adm.DeleteGroupWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		r, err = adm.DeleteGroupWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}
