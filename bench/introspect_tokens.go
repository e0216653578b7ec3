package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// introspectScenario introspects the one token obtained at setup, or,
// with -introspect-tokens N, N fresh client_credentials tokens minted
// before each run (untimed), request i asking about token i mod N. With N
// at least -n every request introspects a token the server has never
// seen, so no cache of verified tokens can answer it: each request costs
// a signature verification.
func (b *bench) introspectScenario() scenario {
	if b.o.introspectTokens <= 0 {
		return scenario{op: func(ctx context.Context, _, _ int) error {
			return b.introspectToken(ctx, b.introspectWhat)
		}}
	}
	var tokens []string
	return scenario{
		prepare: func(ctx context.Context, n int) (int, error) {
			var err error
			tokens, err = b.mintClientTokens(ctx, min(b.o.introspectTokens, n)) // request i < n uses token i mod N
			return n, err
		},
		op: func(ctx context.Context, _, i int) error {
			return b.introspectToken(ctx, tokens[i%len(tokens)])
		},
	}
}

// mintClientTokens obtains n client_credentials access tokens with the
// run's workers.
func (b *bench) mintClientTokens(ctx context.Context, n int) ([]string, error) {
	tokens := make([]string, n)
	errs := make([]error, b.o.workers)
	var wg sync.WaitGroup
	for w := range b.o.workers {
		wg.Go(func() {
			for i := w; i < n; i += b.o.workers {
				tok, err := b.clientCredentials(ctx)
				if err != nil {
					errs[w] = err
					return
				}
				tokens[i] = tok
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("minting tokens to introspect: %w", err)
	}
	return tokens, nil
}
