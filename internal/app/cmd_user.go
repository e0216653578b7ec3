package app

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

type userFlags struct {
	tenant, email, name, picture, status string
	verified                             bool
}

func (f *userFlags) register(fs *flag.FlagSet) {
	tenantFlag(fs, &f.tenant)
	fs.StringVar(&f.email, "email", "", "email address")
	fs.StringVar(&f.name, "name", "", "display name")
	fs.StringVar(&f.picture, "picture", "", "https URL of a profile picture")
	fs.BoolVar(&f.verified, "email-verified", false, "mark the email as verified")
	fs.StringVar(&f.status, "status", "", "active, inactive or suspended")
}

func userCreate() *mgmtCmd {
	var f userFlags
	return &mgmtCmd{
		usage: "user create --tenant T --email EMAIL [--name NAME] [--email-verified]",
		flags: f.register,
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(f.tenant); err != nil {
				return nil, err
			}
			u, err := svc.CreateUser(ctx, f.tenant, manage.UserInput{
				Email: f.email, Name: f.name, Picture: f.picture, EmailVerified: f.verified, Status: idp.UserStatus(f.status),
			})
			if err != nil {
				return nil, err
			}
			return &output{json: userView(u), human: userHuman(u)}, nil
		},
	}
}

func userUpdate() *mgmtCmd {
	var f userFlags
	return &mgmtCmd{
		usage: "user update --tenant T USER_ID [--email E] [--name N] [--email-verified=BOOL] [--status S]",
		args:  1,
		flags: f.register,
		run: func(ctx context.Context, svc *manage.Service, pos []string, set map[string]bool) (*output, error) {
			if err := needTenant(f.tenant); err != nil {
				return nil, err
			}
			p := manage.UserPatch{
				Email:         strIf(set, "email", f.email),
				Name:          strIf(set, "name", f.name),
				Picture:       strIf(set, "picture", f.picture),
				EmailVerified: boolIf(set, "email-verified", f.verified),
			}
			if set["status"] {
				st := idp.UserStatus(f.status)
				p.Status = &st
			}
			u, err := svc.UpdateUser(ctx, f.tenant, pos[0], p)
			if err != nil {
				return nil, err
			}
			return &output{json: userView(u), human: userHuman(u)}, nil
		},
	}
}

func userGet() *mgmtCmd {
	return tenantOnly("user get --tenant T USER_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		u, err := svc.GetUser(ctx, tenant, pos[0])
		if err != nil {
			return nil, err
		}
		return &output{json: userView(u), human: userHuman(u)}, nil
	})
}

func userSuspend() *mgmtCmd {
	return tenantOnly("user suspend --tenant T USER_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		u, err := svc.SuspendUser(ctx, tenant, pos[0])
		if err != nil {
			return nil, err
		}
		return &output{json: userView(u), human: func(w io.Writer) {
			fmt.Fprintf(w, "Suspended user %s (%s); their sessions and refresh tokens are revoked.\n", u.ID, u.Email)
		}}, nil
	})
}

func userDelete() *mgmtCmd {
	return tenantOnly("user delete --tenant T USER_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		if err := svc.DeleteUser(ctx, tenant, pos[0]); err != nil {
			return nil, err
		}
		return deleted(pos[0], "user"), nil
	})
}

func userList() *mgmtCmd {
	var (
		tenant string
		q      idp.UserQuery
	)
	return &mgmtCmd{
		usage: "user list --tenant T [--search TEXT] [--limit N] [--offset N]",
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.StringVar(&q.Search, "search", "", "substring of the email or name (a whole email address matches exactly)")
			pageFlags(fs, &q.Page)
		},
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			us, total, err := svc.ListUsers(ctx, tenant, q)
			if err != nil {
				return nil, err
			}
			items := make([]userJSON, len(us))
			rows := make([][]string, len(us))
			for i := range us {
				items[i] = userView(&us[i])
				rows[i] = []string{us[i].ID, us[i].Email, us[i].Name, string(us[i].Status)}
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

// userSignInLink makes a one-time sign-in link for an existing user: the
// way back in for an administrator who lost the first start's link.
func userSignInLink() *mgmtCmd {
	return tenantOnly("user sign-in-link --tenant T USER_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		t, err := svc.GetTenant(ctx, tenant)
		if err != nil {
			return nil, err
		}
		tok, err := svc.CreateSignInLink(ctx, tenant, pos[0])
		if err != nil {
			return nil, err
		}
		link := manage.SignInURL(t.Issuer, tok)
		return &output{
			json: map[string]any{"id": pos[0], "sign_in_url": link},
			human: func(w io.Writer) {
				fmt.Fprintf(w, "One-time sign-in link (valid 24 hours):\n\n  %s\n", link)
			},
		}, nil
	})
}
