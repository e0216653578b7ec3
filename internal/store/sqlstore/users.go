package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

const userCols = `tenant_id, id, email, name, picture, email_verified, status, scopes,
	last_login, created_at, updated_at`

func scanUser(sc scanner) (*idp.User, error) {
	var u idp.User
	var status string
	err := sc.Scan(&u.TenantID, &u.ID, str(&u.Email), &u.Name, &u.Picture, &u.EmailVerified,
		&status, jsonOf(&u.Scopes), nullTS(&u.LastLogin), ts(&u.CreatedAt), ts(&u.UpdatedAt))
	if err != nil {
		return nil, err
	}
	u.Status = idp.UserStatus(status)
	return &u, nil
}

// CreateUser inserts u; idp.ErrConflict on a duplicate id or email in the
// tenant. An empty email is stored as NULL and never conflicts.
func (s *Store) CreateUser(ctx context.Context, tenantID string, u *idp.User) error {
	_, err := s.writer().exec(ctx, `INSERT INTO users (`+userCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, u.ID, nullString(u.Email), u.Name, u.Picture, u.EmailVerified, string(u.Status),
		jsonList(u.Scopes), u.LastLogin, u.CreatedAt, u.UpdatedAt)
	return s.wrap("create user", err)
}

// GetUser returns the user or idp.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, tenantID, userID string) (*idp.User, error) {
	u, err := scanUser(s.reader().row(ctx, `SELECT `+userCols+` FROM users
		WHERE tenant_id = ? AND id = ?`, tenantID, userID))
	return u, s.wrap("get user", err)
}

// GetUserByEmail finds a user by (lower-cased) email or idp.ErrNotFound.
func (s *Store) GetUserByEmail(ctx context.Context, tenantID, email string) (*idp.User, error) {
	if email == "" {
		return nil, s.wrap("get user by email", idp.ErrNotFound)
	}
	u, err := scanUser(s.reader().row(ctx, `SELECT `+userCols+` FROM users
		WHERE tenant_id = ? AND email = ?`, tenantID, email))
	return u, s.wrap("get user by email", err)
}

// UpdateUser replaces email, name, picture, email_verified, status, scopes
// and updated_at; idp.ErrConflict on a duplicate email, idp.ErrNotFound if
// absent.
func (s *Store) UpdateUser(ctx context.Context, tenantID string, u *idp.User) error {
	n, err := s.writer().execN(ctx, `UPDATE users SET email = ?, name = ?, picture = ?,
		email_verified = ?, status = ?, scopes = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`,
		nullString(u.Email), u.Name, u.Picture, u.EmailVerified, string(u.Status),
		jsonList(u.Scopes), u.UpdatedAt, tenantID, u.ID)
	return s.wrap("update user", affected(n, err))
}

// DeleteUser removes the user; sessions, grants (with their refresh
// tokens), codes, login challenges and consents cascade. The user's
// access-token records are marked revoked and stay until they expire, so
// their JWTs read as inactive. In the admin tenant it also ends the user's
// account memberships. idp.ErrNotFound if absent.
func (s *Store) DeleteUser(ctx context.Context, tenantID, userID string) error {
	at := s.clock.Now()
	return s.tx(ctx, "delete user", func(d runner) error {
		if _, err := d.exec(ctx, `UPDATE access_tokens SET revoked_at = ?
			WHERE tenant_id = ? AND revoked_at IS NULL AND grant_id IN
				(SELECT id FROM grants WHERE tenant_id = ? AND user_id = ?)`,
			at, tenantID, tenantID, userID); err != nil {
			return err
		}
		n, err := d.execN(ctx, `DELETE FROM users WHERE tenant_id = ? AND id = ?`, tenantID, userID)
		if err := affected(n, err); err != nil {
			return err
		}
		_, err = d.exec(ctx, `DELETE FROM account_members WHERE user_id = ?
			AND EXISTS (SELECT 1 FROM tenants WHERE id = ? AND admin = TRUE)`, userID, tenantID)
		return err
	})
}

// likePattern escapes s for a LIKE … ESCAPE '\' substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// wholeAddress reports whether a search term is a complete email address
// (local@domain.tld, one @, no spaces or address punctuation).
func wholeAddress(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t\r\n<>,;:\"()[]\\") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}

// ListUsers searches email and name (case-insensitive substring), ordered
// by creation, with the total before paging. A search term that is a whole
// email address matches that address only: it is one lookup on the
// tenant's unique (tenant_id, email) index, where a substring has to scan
// every user of the tenant (on a tenant of 100,000 users that is the
// difference between a fraction of a millisecond and tens of them).
func (s *Store) ListUsers(ctx context.Context, tenantID string, uq idp.UserQuery) ([]idp.User, int, error) {
	limit, offset := page(uq.Limit, uq.Offset)
	where, args := ` WHERE tenant_id = ?`, []any{tenantID}
	if wholeAddress(uq.Search) {
		// Emails are stored lower-cased.
		where += ` AND email = ?`
		args = append(args, strings.ToLower(uq.Search))
	} else if uq.Search != "" {
		p := likePattern(uq.Search)
		where += ` AND (COALESCE(email, '') LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\')`
		args = append(args, p, p)
	}
	d := s.reader()
	var total int
	if err := d.row(ctx, `SELECT COUNT(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, s.wrap("list users", err)
	}
	rows, err := d.query(ctx, `SELECT `+userCols+` FROM users`+where+`
		ORDER BY created_at, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, s.wrap("list users", err)
	}
	defer rows.Close()
	var out []idp.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, s.wrap("list users", err)
		}
		out = append(out, *u)
	}
	return out, total, s.wrap("list users", rows.Err())
}

// TouchUserLogin records a successful sign-in: last_login = at and the
// email is verified (the user proved control of it). idp.ErrNotFound if
// absent.
func (s *Store) TouchUserLogin(ctx context.Context, tenantID, userID string, at time.Time) error {
	n, err := s.writer().execN(ctx, `UPDATE users SET last_login = ?, email_verified = TRUE
		WHERE tenant_id = ? AND id = ?`, at, tenantID, userID)
	return s.wrap("touch user login", affected(n, err))
}
