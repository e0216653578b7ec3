// Package changes is the change bus: after every committed write that
// nodes cache (a tenant, a client, a signing key…), management publishes
// an idp.Change, and every subscribed cache of every node drops what it
// names.
//
// A Bus delivers a change to the caches of its own process at once and,
// with a Notifier (PostgreSQL), announces it to the other nodes with
// pg_notify on the channel Channel. A Listener holds one dedicated
// PostgreSQL connection that LISTENs on that channel and hands what it
// hears to the Bus; when that connection drops it reconnects with backoff
// and then drops everything, since notifications sent meanwhile are lost.
// On SQLite (one node) the bus is in-process only.
//
// The bus makes changes visible within milliseconds; every cache still
// keeps a bounded TTL as the safety net for a notification that is lost
// (a node killed between its commit and its notify).
package changes
