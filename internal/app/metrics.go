package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/authalla/authalla/internal/config"
)

// metricsShutdown bounds how long a scrape in progress may finish when
// the server stops.
const metricsShutdown = 2 * time.Second

// serveMetrics starts the metrics listener when --metrics-listen is set:
// GET /metrics and nothing else, with the main listener's timeouts. The
// exposition is never served on --listen (no tenant host shows it), so
// who can scrape is decided by where this listener is bound. It prints
// the address before the main "Listening on" line and returns a function
// that stops the listener.
func serveMetrics(cfg *config.Config, h http.Handler, stdout io.Writer, log *slog.Logger) (stop func(), err error) {
	if cfg.MetricsListen == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsListen)
	if err != nil {
		return nil, &configError{err: fmt.Errorf("metrics-listen: %w", err)}
	}
	if !loopbackListener(ln.Addr()) {
		log.Warn("metrics are served on a non-loopback address: make sure only the scraper can reach it", "addr", ln.Addr().String())
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "Metrics on http://%s/metrics\n", ln.Addr())
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), metricsShutdown)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			hs.Close()
		}
		<-done
	}, nil
}

// loopbackListener reports whether addr is a loopback address (a
// wildcard address such as ":9090" listens on every interface).
func loopbackListener(addr net.Addr) bool {
	ap, err := netip.ParseAddrPort(addr.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
