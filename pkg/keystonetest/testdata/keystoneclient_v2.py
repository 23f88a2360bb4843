"""Drive python-keystoneclient's v2_0 managers against an Identity v2.0 server.

Usage: keystoneclient_v2.py URL  (the admin password is read from ADMIN_PASSWORD)

Every manager method of keystoneclient.v2_0 that the in-memory Keystone
serves is called once, so that the server can check each request that
python-keystoneclient makes against api/identity-v2.yaml. Prints "ok".
"""
import os
import sys

from keystoneclient.v2_0 import client

url = sys.argv[1].rstrip("/") + "/v2.0"
password = os.environ["ADMIN_PASSWORD"]

ks = client.Client(username="admin", password=password, tenant_name="admin", auth_url=url, endpoint=url)
assert ks.authenticate()
assert ks.auth_ref.project_name == "admin", ks.auth_ref

# tenants
t = ks.tenants.create("py-tenant", description="from python", enabled=True)
assert ks.tenants.get(t.id).name == "py-tenant"
assert any(x.id == t.id for x in ks.tenants.list())
assert len(ks.tenants.list(limit=1)) == 1
ks.tenants.update(t.id, tenant_name="py-tenant2", description="renamed")
assert ks.tenants.get(t.id).name == "py-tenant2"

# users
u = ks.users.create("py-user", "py-pass", email="py@example.com", tenant_id=t.id)
assert ks.users.get(u.id).name == "py-user"
assert any(x.id == u.id for x in ks.users.list())
ks.users.update(u.id, email="py2@example.com")
ks.users.update_enabled(u.id, False)
ks.users.update_enabled(u.id, True)
ks.users.update_password(u.id, "py-pass2")
ks.users.update_tenant(u.id, t.id)

# roles and grants
r = ks.roles.create("py-role")
assert ks.roles.get(r.id).name == "py-role"
assert any(x.id == r.id for x in ks.roles.list())
ks.roles.add_user_role(u, r, t)
assert [x.id for x in ks.roles.roles_for_user(u, t)] == [r.id]
assert any(x.id == u.id for x in ks.tenants.list_users(t))
ks.roles.remove_user_role(u, r, t)
# Global roles: no tenant (PUT|DELETE /v2.0/users/{id}/roles/OS-KSADM/{role}).
ks.roles.add_user_role(u, r)
assert [x.id for x in ks.roles.roles_for_user(u)] == [r.id]
ks.roles.remove_user_role(u, r)
assert ks.roles.roles_for_user(u) == []

# services and endpoints
s = ks.services.create("py-svc", "py-type", "a service")
assert ks.services.get(s.id).type == "py-type"
assert any(x.id == s.id for x in ks.services.list())
e = ks.endpoints.create("RegionOne", s.id, "http://py/public", "http://py/admin", "http://py/internal")
assert any(x.id == e.id for x in ks.endpoints.list())
ks.endpoints.delete(e.id)
ks.services.delete(s.id)

# EC2 credentials
c = ks.ec2.create(u.id, t.id)
assert ks.ec2.get(u.id, c.access).access == c.access
assert any(x.access == c.access for x in ks.ec2.list(u.id))
ks.ec2.delete(u.id, c.access)

# tokens
tok = ks.auth_ref.auth_token
assert ks.tokens.validate(tok).id == tok
assert ks.tokens.get_token_data(tok)["access"]["user"]["name"] == "admin"
assert ks.tokens.validate_access_info(tok).user_id == ks.auth_ref.user_id
ks.roles.add_user_role(u, r, t)
other = client.Client(username="py-user", password="py-pass2", tenant_id=t.id, auth_url=url, endpoint=url)
assert other.authenticate()
assert other.auth_ref.project_id == t.id
ks.tokens.delete(other.auth_ref.auth_token)

# extensions
assert any(x.alias == "OS-KSADM" for x in ks.extensions.list())

# clean up
ks.roles.delete(r.id)
ks.users.delete(u.id)
ks.tenants.delete(t.id)
print("ok")
