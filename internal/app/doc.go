// Package app wires Authalla together and runs its subcommands (serve,
// migrate, version, tenant, client, user, resource-server, keys). Main takes
// its arguments and writers so the CLI is testable in-process.
package app
