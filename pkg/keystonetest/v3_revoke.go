package keystonetest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// revocationEvent is a token revocation event as Keystone's revoke_model
// keeps it: the members that apply, and when it was recorded.
type revocationEvent struct {
	userID, projectID, auditID string
	revokedAt, issuedBefore    time.Time
}

// revocationBuffer is Keystone's [token] expiration_buffer: events are pruned
// once they are older than the token lifetime and this buffer.
const revocationBuffer = 30 * time.Minute

// recordRevocation records e now, as Keystone's revoke_api.revoke: revoked_at
// and issued_before are the current time to the second; events older than
// the lifetime of tokens (and the buffer) are pruned. Called with st.mu held.
func (st *state) recordRevocation(e revocationEvent) {
	now := st.now().UTC().Truncate(time.Second)
	e.revokedAt, e.issuedBefore = now, now
	oldest := now.Add(-st.lifetime - revocationBuffer)
	area := &st.configArea
	kept := area.events[:0]
	for _, o := range area.events {
		if !o.revokedAt.Before(oldest) {
			kept = append(kept, o)
		}
	}
	area.events = append(kept, e)
}

// revokeUser revokes a user's tokens and records the event Keystone records
// (user disabled or deleted, password changed, removed from a group...).
func (st *state) revokeUser(userID string) {
	st.revokeWhere(func(t *token) bool { return t.userID == userID })
	st.recordRevocation(revocationEvent{userID: userID})
}

// revokeGroupMembers records, for a group about to be deleted, an event for
// each of its members when it has role assignments, as Keystone does.
func (st *state) revokeGroupMembers(groupID string) {
	hasRoles := false
	for g := range st.grants {
		hasRoles = hasRoles || g.group && g.actor == groupID
	}
	if !hasRoles {
		return
	}
	for _, u := range st.users.order {
		if st.members[groupID][u] {
			st.recordRevocation(revocationEvent{userID: u})
		}
	}
}

// parseSince parses the since filter as Keystone's parse_isotime: ISO 8601,
// UTC when it has no zone.
func parseSince(s string) (time.Time, bool) {
	for _, layout := range []string{
		time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", "20060102T150405Z0700", "20060102T150405", "2006-01-02", "20060102",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ListRevocationEvents lists the revocation events, oldest first.
func (s *v3) ListRevocationEvents(ctx context.Context, req v3s.ListRevocationEventsRequestObject) (v3s.ListRevocationEventsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	// identity:list_revoke_events: rule:service_or_admin.
	c := callerFrom(ctx)
	allowed := c.admin || c.policyChecked
	for _, r := range st.tokenRoles(c.tok) {
		allowed = allowed || st.roles.get(r).Name == "service"
	}
	if !allowed {
		return nil, forbidden()
	}
	var since time.Time
	if p := req.Params.Since; p != nil && *p != "" {
		t, ok := parseSince(*p)
		if !ok {
			return nil, badRequest("invalidate date format %s", *p)
		}
		since = t
	}
	events := []map[string]any{}
	for _, e := range st.configArea.events {
		if !since.IsZero() && !e.revokedAt.After(since) {
			continue
		}
		m := map[string]any{
			"issued_before": e.issuedBefore.Format("2006-01-02T15:04:05.000000Z"),
			"revoked_at":    e.revokedAt.Format("2006-01-02T15:04:05.000000Z"),
		}
		for k, v := range map[string]string{"user_id": e.userID, "project_id": e.projectID, "audit_id": e.auditID} {
			if v != "" {
				m[k] = v
			}
		}
		events = append(events, m)
	}
	return eventsJSON{"events": events, "links": st.collection("OS-REVOKE/events")}, nil
}

// eventsJSON writes the event list with Keystone's time format (microseconds).
type eventsJSON map[string]any

func (e eventsJSON) VisitListRevocationEventsResponse(w http.ResponseWriter) error {
	b, err := json.Marshal(map[string]any(e))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}
