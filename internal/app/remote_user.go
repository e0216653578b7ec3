package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/authalla/authalla/internal/idp"
)

// user turns a user of the API (whose JSON names are those of userJSON)
// into the value the local output functions print.
func (u *userJSON) user(tenant string) *idp.User {
	return &idp.User{TenantID: tenant, ID: u.ID, Email: u.Email, Name: u.Name, Picture: u.Picture,
		EmailVerified: u.EmailVerified, Status: idp.UserStatus(u.Status), LastLogin: u.LastLogin,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func userOutput(u *userJSON, tenant string) *output {
	v := u.user(tenant)
	return &output{json: userView(v), human: userHuman(v)}
}

// body returns the JSON fields of the user flags that were given.
func (f *userFlags) body(set map[string]bool) body {
	b := body{}
	b.put(set, "email", "email", f.email)
	b.put(set, "name", "name", f.name)
	b.put(set, "picture", "picture", f.picture)
	b.put(set, "email-verified", "email_verified", f.verified)
	b.put(set, "status", "status", f.status)
	return b
}

// remoteUserWrite is user create (POST) or update (PATCH USER_ID).
func remoteUserWrite(usage string, args int, method string) *remoteCmd {
	var f userFlags
	return &remoteCmd{
		usage: usage,
		args:  args,
		flags: f.register,
		run: func(ctx context.Context, api *apiClient, pos []string, set map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(f.tenant)
			if err != nil {
				return nil, err
			}
			path := "/api/v1/users"
			if len(pos) > 0 {
				path += "/" + esc(pos[0])
			}
			var u userJSON
			if err := api.call(ctx, method, path, tenant, f.body(set), &u); err != nil {
				return nil, err
			}
			return userOutput(&u, tenant), nil
		},
	}
}

func remoteUserCreate() *remoteCmd {
	return remoteUserWrite(userCreate().usage, 0, http.MethodPost)
}

func remoteUserUpdate() *remoteCmd {
	return remoteUserWrite(userUpdate().usage, 1, http.MethodPatch)
}

func remoteUserGet() *remoteCmd {
	return remoteTenantOnly(userGet().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		var u userJSON
		if err := api.call(ctx, http.MethodGet, "/api/v1/users/"+esc(pos[0]), tenant, nil, &u); err != nil {
			return nil, err
		}
		return userOutput(&u, tenant), nil
	})
}

func remoteUserSuspend() *remoteCmd {
	return remoteTenantOnly(userSuspend().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		var u userJSON
		if err := api.call(ctx, http.MethodPost, "/api/v1/users/"+esc(pos[0])+"/suspend", tenant, nil, &u); err != nil {
			return nil, err
		}
		v := u.user(tenant)
		return &output{json: userView(v), human: func(w io.Writer) {
			fmt.Fprintf(w, "Suspended user %s (%s); their sessions and refresh tokens are revoked.\n", v.ID, v.Email)
		}}, nil
	})
}

func remoteUserDelete() *remoteCmd {
	return remoteTenantOnly(userDelete().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		if err := api.call(ctx, http.MethodDelete, "/api/v1/users/"+esc(pos[0]), tenant, nil, nil); err != nil {
			return nil, err
		}
		return deleted(pos[0], "user"), nil
	})
}

func remoteUserList() *remoteCmd {
	var (
		tenantFlagValue string
		q               idp.UserQuery
	)
	return &remoteCmd{
		usage: userList().usage,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.StringVar(&q.Search, "search", "", "substring of the email or name (a whole email address matches exactly)")
			pageFlags(fs, &q.Page)
		},
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			query := url.Values{"limit": {strconv.Itoa(q.Limit)}, "offset": {strconv.Itoa(q.Offset)}}
			if q.Search != "" {
				query.Set("search", q.Search)
			}
			us, total, err := list[userJSON](ctx, api, "/api/v1/users", tenant, "users", query)
			if err != nil {
				return nil, err
			}
			items := make([]userJSON, len(us))
			rows := make([][]string, len(us))
			for i := range us {
				u := us[i].user(tenant)
				items[i] = userView(u)
				rows[i] = []string{u.ID, u.Email, u.Name, string(u.Status)}
			}
			return &output{
				json: listJSON{Items: items, Total: total, Limit: q.Limit, Offset: q.Offset},
				human: func(w io.Writer) {
					table(w, []string{"ID", "EMAIL", "NAME", "STATUS"}, rows)
					footer(w, len(us), total)
				},
			}, nil
		},
	}
}
