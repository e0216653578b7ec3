package config

import (
	"io"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.PublicURL != "http://localhost:8080" || c.BaseDomain != "localhost" || !c.PathIssuers {
		t.Fatalf("defaults: %+v", c)
	}
	if c.DatabaseURL != "authalla-data/authalla.db" || c.IsPostgres() || c.Secure() {
		t.Fatalf("database default: %q", c.DatabaseURL)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := Load("serve", []string{"--listen", "127.0.0.1:9000", "--smtp-port", "2525"}, env(map[string]string{
		"AUTHALLA_LISTEN":          "0.0.0.0:1",
		"AUTHALLA_PUBLIC_URL":      "https://login.example.com/",
		"AUTHALLA_DATABASE_URL":    "postgres://u:p@db/authalla",
		"AUTHALLA_SMTP_HOST":       "smtp.example.com",
		"AUTHALLA_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9000" || c.SMTP.Port != 2525 || c.SMTP.Host != "smtp.example.com" {
		t.Fatalf("flags/env: %+v", c)
	}
	if c.PublicURL != "https://login.example.com" || c.BaseDomain != "login.example.com" || !c.IsPostgres() || !c.Secure() {
		t.Fatalf("derived: %+v", c)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.0.2.7/32" {
		t.Fatalf("proxies: %v", c.TrustedProxies)
	}
}

func TestBadSettingsAreNamed(t *testing.T) {
	tests := []struct {
		args    []string
		env     map[string]string
		setting string
	}{
		{[]string{"--listen", "nonsense"}, nil, "listen"},
		{[]string{"--public-url", "ftp://x"}, nil, "public-url"},
		{[]string{"--public-url", "https://x/path"}, nil, "public-url"},
		{[]string{"--public-url", "http://auth.example.com"}, nil, "public-url"},
		{[]string{"--smtp-tls", "bogus"}, nil, "smtp-tls"},
		{[]string{"--log-level", "loud"}, nil, "log-level"},
		{[]string{"--trusted-proxies", "not-an-ip"}, nil, "trusted-proxies"},
		{nil, map[string]string{"AUTHALLA_DEV": "maybe"}, "AUTHALLA_DEV"},
		{nil, map[string]string{"AUTHALLA_SMTP_PORT": "x"}, "AUTHALLA_SMTP_PORT"},
		{[]string{"--metrics-listen", "9090"}, nil, "metrics-listen"},
		{[]string{"--listen", "127.0.0.1:8080", "--metrics-listen", "127.0.0.1:8080"}, nil, "metrics-listen"},
	}
	for _, tc := range tests {
		_, err := Load("serve", tc.args, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.setting) {
			t.Errorf("%v %v: err = %v, want it to name %s", tc.args, tc.env, err, tc.setting)
		}
	}
	if _, err := Load("serve", []string{"--dev", "--public-url", "http://auth.example.com"}, env(nil), io.Discard); err != nil {
		t.Errorf("plain http with --dev must be allowed: %v", err)
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{"localhost": true, "acme.localhost": true, "127.0.0.1": true, "[::1]": true, "127.1.2.3": true, "example.com": false, "10.0.0.1": false, "localhost.evil.com": false} {
		if got := IsLoopbackHost(h); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v", h, got)
		}
	}
}

func TestMetricsListen(t *testing.T) {
	c, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsListen != "" {
		t.Fatalf("metrics are served by default on %q", c.MetricsListen)
	}
	c, err = Load("serve", nil, env(map[string]string{"AUTHALLA_METRICS_LISTEN": "127.0.0.1:9090"}), io.Discard)
	if err != nil || c.MetricsListen != "127.0.0.1:9090" {
		t.Fatalf("from the environment: %q, %v", c.MetricsListen, err)
	}
	c, err = Load("serve", []string{"--metrics-listen", "[::1]:9100"}, env(map[string]string{"AUTHALLA_METRICS_LISTEN": "127.0.0.1:9090"}), io.Discard)
	if err != nil || c.MetricsListen != "[::1]:9100" {
		t.Fatalf("the flag wins: %q, %v", c.MetricsListen, err)
	}
	if _, err = Load("serve", []string{"--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"}, env(nil), io.Discard); err != nil {
		t.Fatalf("port 0 on both (two free ports): %v", err)
	}
}

func TestDBMaxOpenConns(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    int
		wantErr string
	}{
		{name: "default", want: 0},
		{name: "env", env: map[string]string{"AUTHALLA_DB_MAX_OPEN_CONNS": "25"}, want: 25},
		{name: "flag wins", args: []string{"--db-max-open-conns", "3"}, env: map[string]string{"AUTHALLA_DB_MAX_OPEN_CONNS": "25"}, want: 3},
		{name: "env not a number", env: map[string]string{"AUTHALLA_DB_MAX_OPEN_CONNS": "ten"}, wantErr: "AUTHALLA_DB_MAX_OPEN_CONNS"},
		{name: "negative", args: []string{"--db-max-open-conns", "-1"}, wantErr: "db-max-open-conns"},
		{name: "too many", args: []string{"--db-max-open-conns", "1001"}, wantErr: "db-max-open-conns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("serve", tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.DBMaxOpenConns != tc.want {
				t.Fatalf("DBMaxOpenConns = %d, %v; want %d", c.DBMaxOpenConns, err, tc.want)
			}
		})
	}
}
