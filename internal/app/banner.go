package app

import (
	"fmt"
	"io"

	"github.com/authalla/authalla/internal/manage"
)

// printBootstrap tells the operator what the first start created and
// gives the one-time sign-in link. The link is a credential: it is
// written to the terminal, never to the log.
func printBootstrap(w io.Writer, b *manage.BootstrapResult, adminIssuer, defaultIssuer string) {
	fmt.Fprintf(w, `
Authalla is set up.

  Admin issuer     %s
  Default tenant   %s  (%s)
  MCP server       %s  (claude mcp add --transport http authalla %s)

Sign in as %s with this one-time link (valid 24 hours):

  %s

`, adminIssuer, defaultIssuer, b.DefaultTenant.ID, mcpURL(adminIssuer), mcpURL(adminIssuer), b.AdminUser.Email, b.SignInURL)
}

// printIssuers lists the issuers on later starts.
func printIssuers(w io.Writer, admin string, tenants [][2]string, total int) {
	fmt.Fprintf(w, "\n  Admin issuer     %s\n", admin)
	fmt.Fprintf(w, "  MCP server       %s\n", mcpURL(admin))
	for _, t := range tenants {
		fmt.Fprintf(w, "  Tenant           %s  (%s)\n", t[1], t[0])
	}
	if total > len(tenants) {
		fmt.Fprintf(w, "  … and %d more (authalla tenant list)\n", total-len(tenants))
	}
	fmt.Fprintln(w)
}

// mcpURL is the MCP server's URL on an admin issuer: the endpoint that
// AI assistants connect to (PRODUCT §9).
func mcpURL(adminIssuer string) string { return adminIssuer + "/mcp" }
