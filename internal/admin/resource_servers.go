package admin

import (
	"fmt"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

type rsListData struct {
	Servers []idp.ResourceServer
	Total   int
}

// rsList lists a tenant's resource servers and their scopes.
func (h *Handler) rsList(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	rs, total, err := h.o.Manage.ListResourceServers(c.ctx, c.tenant.ID, idp.Page{Limit: 200})
	if err != nil {
		return err
	}
	return h.show(c, "resource_servers", "Resource servers", "resource-servers", rsListData{Servers: rs, Total: total})
}

// rsCreate registers a resource server. Scopes are one per line:
// "value description"; the value is given without the prefix.
func (h *Handler) rsCreate(c *call) (string, error) {
	f := c.r.PostForm
	in := manage.ResourceServerInput{Identifier: strings.TrimSpace(f.Get("identifier")), Name: f.Get("name"), ScopePrefix: strings.TrimSpace(f.Get("scope_prefix"))}
	for _, l := range lines(f.Get("scopes")) {
		v, desc, _ := strings.Cut(l, " ")
		in.Scopes = append(in.Scopes, idp.ResourceScope{Value: v, Description: strings.TrimSpace(desc)})
	}
	r, err := h.o.Manage.CreateResourceServer(c.ctx, c.r.PathValue("tenant"), in)
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.r.URL.Path, &flash{Notice: fmt.Sprintf("Resource server %s created.", r.Name)})
	return c.r.URL.Path, nil
}
