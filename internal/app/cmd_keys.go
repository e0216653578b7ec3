package app

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/authalla/authalla/internal/manage"
)

func keysList() *mgmtCmd {
	return tenantOnly("keys list --tenant T", 0, func(ctx context.Context, svc *manage.Service, tenant string, _ []string) (*output, error) {
		ks, err := svc.ListSigningKeys(ctx, tenant)
		if err != nil {
			return nil, err
		}
		items := make([]*keyJSON, len(ks))
		rows := make([][]string, len(ks))
		for i := range ks {
			items[i] = keyView(&ks[i])
			rows[i] = []string{ks[i].ID, ks[i].Alg, string(ks[i].State), fmtTime(&ks[i].CreatedAt), fmtTime(ks[i].RemoveAfter)}
		}
		return &output{
			json:  listJSON{Items: items, Total: len(ks), Limit: len(ks)},
			human: func(w io.Writer) { table(w, []string{"KID", "ALG", "STATE", "CREATED", "REMOVE AFTER"}, rows) },
		}, nil
	})
}

func keysRotate() *mgmtCmd {
	var (
		tenant string
		now    bool
	)
	return &mgmtCmd{
		usage: "keys rotate --tenant T [--now]",
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.BoolVar(&now, "now", false, "activate the new key at once instead of staging it (tokens signed by the old key stay verifiable)")
		},
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			r, err := svc.RotateSigningKey(ctx, tenant, now)
			if err != nil {
				return nil, err
			}
			v := rotateView(r)
			return &output{json: v, human: func(w io.Writer) {
				if v.Staged != nil && v.Activated == nil {
					fmt.Fprintf(w, "Staged key %s (%s): it is published now and becomes active once relying parties have seen it; the server activates it, or run keys rotate again later.\n", v.Staged.ID, v.Staged.Alg)
				}
				if v.Activated != nil {
					fmt.Fprintf(w, "Activated key %s (%s).\n", v.Activated.ID, v.Activated.Alg)
				}
				if v.Retired != nil {
					fmt.Fprintf(w, "Retired key %s: published until %s.\n", v.Retired.ID, fmtTime(v.Retired.RemoveAfter))
				}
			}}, nil
		},
	}
}

// retireJSON says what keys retire did (the API's shape, with the key's
// id first like the other results).
type retireJSON struct {
	ID      string   `json:"id"`
	Key     *keyJSON `json:"key"`
	Removed bool     `json:"removed"`
}

// keyLifecycleFlags are --tenant and --kid, both required.
func keyLifecycleFlags(fs *flag.FlagSet, tenant, kid *string) {
	tenantFlag(fs, tenant)
	fs.StringVar(kid, "kid", "", "the key id (see keys list)")
}

func needKID(kid string) error {
	if kid == "" {
		return usagef("--kid is required")
	}
	return nil
}

func printStaged(w io.Writer, k *keyJSON) {
	fmt.Fprintf(w, "Staged key %s (%s): it is published now and signs once activated (keys activate), or on its own once relying parties have seen it.\n", k.ID, k.Alg)
}

func printActivated(w io.Writer, v rotateJSON) {
	if v.Activated != nil {
		fmt.Fprintf(w, "Activated key %s (%s).\n", v.Activated.ID, v.Activated.Alg)
	}
	if v.Retired != nil {
		fmt.Fprintf(w, "Retired key %s: published until %s.\n", v.Retired.ID, fmtTime(v.Retired.RemoveAfter))
	}
}

func printRetired(w io.Writer, v retireJSON) {
	if v.Removed {
		fmt.Fprintf(w, "Removed staged key %s (it never signed).\n", v.ID)
		return
	}
	fmt.Fprintf(w, "Key %s is already retired: published until %s.\n", v.ID, fmtTime(v.Key.RemoveAfter))
}

func keysStage() *mgmtCmd {
	var tenant, alg string
	return &mgmtCmd{
		usage: "keys stage --tenant T [--alg RS256|ES256|EdDSA]",
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.StringVar(&alg, "alg", "", "the key's algorithm (default: the tenant's signing algorithm)")
		},
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			k, err := svc.StageSigningKey(ctx, tenant, alg)
			if err != nil {
				return nil, err
			}
			v := keyView(k)
			return &output{json: v, human: func(w io.Writer) { printStaged(w, v) }}, nil
		},
	}
}

func keysActivate() *mgmtCmd {
	var (
		tenant, kid string
		force       bool
	)
	return &mgmtCmd{
		usage: "keys activate --tenant T --kid K [--force]",
		flags: func(fs *flag.FlagSet) {
			keyLifecycleFlags(fs, &tenant, &kid)
			fs.BoolVar(&force, "force", false, "activate a key published for less than the JWKS max-age (relying parties with a cached JWKS may reject its tokens until they refresh)")
		},
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			if err := needKID(kid); err != nil {
				return nil, err
			}
			r, err := svc.ActivateSigningKey(ctx, tenant, kid, force)
			if err != nil {
				return nil, err
			}
			v := rotateView(r)
			return &output{json: v, human: func(w io.Writer) { printActivated(w, v) }}, nil
		},
	}
}

func keysRetire() *mgmtCmd {
	var tenant, kid string
	return &mgmtCmd{
		usage: "keys retire --tenant T --kid K",
		flags: func(fs *flag.FlagSet) { keyLifecycleFlags(fs, &tenant, &kid) },
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			if err := needKID(kid); err != nil {
				return nil, err
			}
			r, err := svc.RetireSigningKey(ctx, tenant, kid)
			if err != nil {
				return nil, err
			}
			v := retireJSON{ID: kid, Key: keyView(r.Key), Removed: r.Removed}
			return &output{json: v, human: func(w io.Writer) { printRetired(w, v) }}, nil
		},
	}
}
