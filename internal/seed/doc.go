// Package seed describes the deterministic data set that "authalla seed"
// loads for scale measurements: which tenants exist, how many users each
// holds, and every user's id, email, name and status, all as pure
// functions of a tenant and user index. The seed command writes it; the
// scale benchmark (bench/scale*.go) recomputes the same users to sign
// them in and to search for them, so neither needs the other's output.
//
// It is standard library only.
package seed
