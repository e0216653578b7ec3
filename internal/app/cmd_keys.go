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
