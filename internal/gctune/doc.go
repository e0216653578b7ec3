// Package gctune keeps the garbage collector from running too often while
// the live heap is small.
//
// Go's collector starts a cycle when the heap has grown by GOGC percent
// over what the previous cycle left live, and never below a 4 MiB goal
// (scaled by GOGC). A server whose live heap is one or two megabytes and
// that allocates 15–25 KB per request (an HTTP request, a signed token)
// therefore collects every 150–250 requests, and each cycle has a fixed
// cost (stopping the world twice, scanning stacks and globals): on a busy
// token endpoint that is 5–10 % of the CPU. Raising GOGC for good would fix
// that and multiply the memory of a large install (10,000 tenants keep
// tens of megabytes live) by as much.
//
// Run adjusts GOGC instead so that the heap may grow by at least
// MinHeadroom (16 MiB by default) over the live heap, and by the usual
// 100 % once the live heap is larger than that: a small heap collects
// rarely, a large one exactly as Go would by default. It is the serve
// command's default when neither GOGC nor GOMEMLIMIT is set; setting
// either leaves the collector as the operator configured it.
package gctune
