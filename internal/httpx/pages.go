package httpx

import "context"

// Pages is what a group of hosted pages installs for each of its
// requests: the error page, the interstitial and the issuer's
// anti-forgery settings. Build it once per route group; WithPages shares
// it between requests.
type Pages struct {
	ErrorPage    PageRenderer
	Interstitial InterstitialRenderer
	// CSRF returns the anti-forgery settings for a request's context, or
	// false when the request has none (CSRFToken then returns "" and
	// CheckCSRF fails closed). It is called once per request, and only if
	// the request uses CSRFToken or CheckCSRF.
	CSRF func(ctx context.Context) (CSRFConfig, bool)
}

// WithPages returns ctx carrying p: what WithPageRenderer,
// WithInterstitialRenderer and WithCSRF do one after the other, in one
// allocation, and without working out the CSRF settings of a request
// that never uses them (a JSON answer, a redirect).
func WithPages(ctx context.Context, p *Pages) context.Context {
	c := &pagesCtx{Context: ctx, p: p}
	c.csrf.load = p.CSRF
	c.csrf.loadCtx = c
	return c
}

// pagesCtx is the context WithPages returns.
type pagesCtx struct {
	context.Context
	p    *Pages
	csrf csrfState
}

// Value answers the keys of the page renderer, the interstitial renderer
// and the CSRF state, and passes every other key to the parent.
func (c *pagesCtx) Value(key any) any {
	switch key.(type) {
	case rendererKey:
		return c.p.ErrorPage
	case interstitialKey:
		return c.p.Interstitial
	case csrfKey:
		return &c.csrf
	}
	return c.Context.Value(key)
}
