package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// options are the floor's command-line settings.
type options struct {
	listen       string
	alg          string
	tenant       string
	clientID     string
	clientSecret string
	accessTTL    time.Duration
	cpuProfile   string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := mainErr(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:18090", "loopback address to listen on")
	fs.StringVar(&o.alg, "alg", "RS256", "signing algorithm: RS256 (RSA-2048), ES256 or EdDSA (Ed25519)")
	fs.StringVar(&o.tenant, "tenant", "bench", "the tenant segment of the issuer {url}/t/{tenant}")
	fs.StringVar(&o.clientID, "client-id", "floor-client", "the one client accepted")
	fs.StringVar(&o.clientSecret, "client-secret", "", "its secret (or env FLOOR_CLIENT_SECRET)")
	fs.DurationVar(&o.accessTTL, "access-ttl", 15*time.Minute, "access-token lifetime (Authalla's default)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (compare with Authalla's AUTHALLA_DEBUG_CPU_PROFILE)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.clientSecret == "" {
		o.clientSecret = os.Getenv("FLOOR_CLIENT_SECRET")
	}
	switch {
	case o.clientSecret == "":
		return o, errors.New("-client-secret (or FLOOR_CLIENT_SECRET) is required")
	case o.clientID == "", o.tenant == "":
		return o, errors.New("-client-id and -tenant must not be empty")
	case o.accessTTL < time.Second:
		return o, errors.New("-access-ttl must be at least 1s")
	}
	if err := checkLoopback(o.listen); err != nil {
		return o, err
	}
	return o, nil
}

func mainErr(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	issuer := "http://" + ln.Addr().String() + "/t/" + o.tenant
	f, err := newFloor(issuer, o)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			_ = ln.Close()
			return err
		}
		defer stop()
	}
	srv := &http.Server{Handler: f.routes(), ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(stderr, "floor: %s signing %s at %s\n", o.clientID, o.alg, issuer)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// checkLoopback refuses listen addresses off this machine's loopback.
func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", hostport, err)
	}
	if host == "localhost" {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-listen %q: the floor only listens on loopback (127.0.0.0/8, [::1], localhost)", hostport)
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
