package manage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func TestCreateUserValidation(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	cases := []struct {
		name  string
		in    UserInput
		field string
		email string
	}{
		{"normalised email", UserInput{Email: "  Ada@Example.COM ", Name: "Ada"}, "", "ada@example.com"},
		{"verified inactive", UserInput{Email: "bob@example.com", EmailVerified: true, Status: idp.UserInactive}, "", "bob@example.com"},
		{"no email", UserInput{Name: "x"}, "email", ""},
		{"not an email", UserInput{Email: "nobody"}, "email", ""},
		{"display name form", UserInput{Email: "Ada <ada2@example.com>"}, "email", ""},
		{"two addresses", UserInput{Email: "a@example.com, b@example.com"}, "email", ""},
		{"long email", UserInput{Email: strings.Repeat("a", 250) + "@example.com"}, "email", ""},
		{"bad status", UserInput{Email: "c@example.com", Status: "deleted"}, "status", ""},
		{"control in name", UserInput{Email: "d@example.com", Name: "a\x00b"}, "name", ""},
		{"http picture", UserInput{Email: "e@example.com", Picture: "http://example.com/p.png"}, "picture", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := f.svc.CreateUser(ctx, "tenant-a", c.in)
			if c.field != "" {
				wantField(t, err, c.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != c.email || !strings.HasPrefix(u.ID, "usr_") || !u.Status.Valid() {
				t.Fatalf("user %+v", u)
			}
		})
	}
	if _, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "ADA@example.com"}); !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("duplicate email: %v", err)
	}
	// The same email in another tenant is another person.
	if _, err := f.svc.CreateUser(ctx, "tenant-b", UserInput{Email: "ada@example.com"}); err != nil {
		t.Fatalf("same email in another tenant: %v", err)
	}
}

func TestListUsersSearch(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	for _, in := range []UserInput{{Email: "ada@example.com", Name: "Ada Lovelace"}, {Email: "alan@example.com", Name: "Alan Turing"}, {Email: "grace@navy.example", Name: "Grace Hopper"}} {
		if _, err := f.svc.CreateUser(ctx, "tenant-a", in); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
	}
	cases := []struct {
		search string
		limit  int
		want   int
		total  int
	}{
		{"", 0, 3, 3},
		{"example.com", 0, 2, 2},
		{"TURING", 0, 1, 1},
		{"hopper", 0, 1, 1},
		{"", 2, 2, 3},
		{"nobody", 0, 0, 0},
	}
	for _, c := range cases {
		us, total, err := f.svc.ListUsers(ctx, "tenant-a", idp.UserQuery{Search: c.search, Page: idp.Page{Limit: c.limit}})
		if err != nil || len(us) != c.want || total != c.total {
			t.Fatalf("search %q limit %d: %d users, total %d, %v; want %d/%d", c.search, c.limit, len(us), total, err, c.want, c.total)
		}
	}
	if _, _, err := f.svc.ListUsers(ctx, "tenant-a", idp.UserQuery{Page: idp.Page{Offset: -1}}); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("negative offset: %v", err)
	}
	if us, _, _ := f.svc.ListUsers(ctx, "tenant-b", idp.UserQuery{}); len(us) != 0 {
		t.Fatalf("tenant-b sees %v", us)
	}
}

func TestUpdateUser(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	u, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "ada@example.com", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "bob@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	name, email := "Ada L.", "Ada.L@Example.com"
	got, err := f.svc.UpdateUser(ctx, "tenant-a", u.ID, UserPatch{Name: &name, Email: &email})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || got.Email != "ada.l@example.com" || got.EmailVerified {
		t.Fatalf("a changed email must be unverified: %+v", got)
	}
	dup := "bob@example.com"
	if _, err := f.svc.UpdateUser(ctx, "tenant-a", u.ID, UserPatch{Email: &dup}); !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("taking another user's email: %v", err)
	}
	empty := idp.UserStatus("")
	if _, err := f.svc.UpdateUser(ctx, "tenant-a", u.ID, UserPatch{Status: &empty}); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("empty status: %v", err)
	}
	if _, err := f.svc.GetUser(ctx, "tenant-b", u.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("user through another tenant: %v", err)
	}
	if err := f.svc.DeleteUser(ctx, "tenant-a", other.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetUser(ctx, "tenant-a", other.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// TestSuspendEndsSessionsAndGrants: SECURITY-TESTS 33, "disabling a user
// kills all sessions and grants at once" — through SuspendUser and through
// a status patch.
func TestSuspendEndsSessionsAndGrants(t *testing.T) {
	for _, via := range []string{"suspend", "patch"} {
		t.Run(via, func(t *testing.T) {
			f := newFixture(t)
			ctx := cli(context.Background())
			u, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "ada@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			bystander, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "bob@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*idp.Session{
				{TenantID: "tenant-a", ID: "s1", UserID: u.ID},
				{TenantID: "tenant-a", ID: "s2", UserID: u.ID},
				{TenantID: "tenant-a", ID: "s3", UserID: bystander.ID},
			} {
				s.AuthTime, s.CreatedAt, s.LastSeen, s.ExpiresAt = t0, t0, t0, t0.Add(time.Hour)
				if err := f.st.CreateSession(ctx, "tenant-a", s); err != nil {
					t.Fatal(err)
				}
			}
			if via == "suspend" {
				_, err = f.svc.SuspendUser(ctx, "tenant-a", u.ID)
			} else {
				st := idp.UserSuspended
				_, err = f.svc.UpdateUser(ctx, "tenant-a", u.ID, UserPatch{Status: &st})
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := f.svc.GetUser(ctx, "tenant-a", u.ID)
			if got.Status != idp.UserSuspended {
				t.Fatalf("status %q", got.Status)
			}
			for id, revoked := range map[string]bool{"s1": true, "s2": true, "s3": false} {
				s, err := f.st.GetSession(ctx, "tenant-a", id)
				if err != nil {
					t.Fatal(err)
				}
				if (s.RevokedAt != nil) != revoked {
					t.Fatalf("session %s revoked=%v, want %v", id, s.RevokedAt != nil, revoked)
				}
			}
			if len(f.st.revokedGrants) != 1 || f.st.revokedGrants[0] != "tenant-a/"+u.ID {
				t.Fatalf("grant revocations %v", f.st.revokedGrants)
			}
		})
	}
}
