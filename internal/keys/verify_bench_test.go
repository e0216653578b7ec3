package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU runs op b.N times and reports, besides the wall time, the
// process's CPU time per operation: on a shared machine the wall time
// also counts the time other processes held the core.
func measureCPU(b *testing.B, op func()) {
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	for range b.N {
		op()
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkPrimitive measures one signature verification of each
// algorithm with the standard library alone, the floor under any JWT
// verification: `go test -run '^$' -bench Primitive -cpu 1 ./internal/keys`.
func BenchmarkPrimitive(b *testing.B) {
	msg := []byte("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ1MSJ9")
	sum := sha256.Sum256(msg)
	b.Run("RS256-2048", func(b *testing.B) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		if err != nil {
			b.Fatal(err)
		}
		measureCPU(b, func() {
			if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("ES256", func(b *testing.B) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		sig, err := ecdsa.SignASN1(rand.Reader, k, sum[:])
		if err != nil {
			b.Fatal(err)
		}
		measureCPU(b, func() {
			if !ecdsa.VerifyASN1(&k.PublicKey, sum[:], sig) {
				b.Fatal("bad signature")
			}
		})
	})
	b.Run("EdDSA", func(b *testing.B) {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		sig := ed25519.Sign(priv, msg)
		measureCPU(b, func() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("bad signature")
			}
		})
	})
}

// BenchmarkVerifyDistinct measures Verify of access tokens it has never
// seen (every call verifies a signature), with the verified-token cache
// on (each token is then remembered) and off, to show what remembering
// costs a first presentation.
func BenchmarkVerifyDistinct(b *testing.B) {
	for _, alg := range Algorithms {
		for _, cache := range []struct {
			name string
			max  int
		}{{"cache", 0}, {"nocache", -1}} {
			b.Run(alg+"/"+cache.name, func(b *testing.B) {
				e := newEnv(b)
				e.m = New(Options{Store: e.st, Sealer: e.sealer, Clock: e.clock, VerifiedTokens: cache.max})
				e.ensure(b, "t1", alg)
				tokens := make([]string, b.N)
				for i := range tokens {
					tokens[i] = e.sign(b, "t1", testClaims{Iss: "https://t1.example", Sub: fmt.Sprintf("usr_%d", i), Scope: "openid profile", Exp: t0.Add(time.Hour).Unix()})
				}
				ctx := context.Background()
				i := 0
				measureCPU(b, func() {
					if _, err := e.m.Verify(ctx, "t1", tokens[i]); err != nil {
						b.Fatal(err)
					}
					i++
				})
			})
		}
	}
}
