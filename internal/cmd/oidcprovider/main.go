// Command oidcprovider serves the federation lab's OpenID Connect provider
// (internal/fedlab/oidcprovider) on a loopback address.
//
//	oidcprovider -config provider.json [-listen 127.0.0.1:35401] [-key key.pem] [-tls-dir dir]
//
// The configuration file is the JSON form of oidcprovider.Config; -issuer
// overrides its issuer (default http://<listen>, or https://<listen> with
// -tls-dir: mod_auth_openidc only fetches a JWKS over HTTPS).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gokeystone/keystone/internal/fedlab/oidcprovider"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "oidcprovider:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:35401", "address to listen on (loopback)")
	config := flag.String("config", "", "JSON configuration file (clients, users)")
	issuer := flag.String("issuer", "", "issuer URL (default: from the configuration, else http://<listen>)")
	keyFile := flag.String("key", "", "RSA signing key (PEM), created when missing; default: a new key per run")
	tlsDir := flag.String("tls-dir", "", "serve HTTPS with the certificate in this directory (made, with a CA in ca.pem, when missing)")
	flag.Parse()
	if *config == "" {
		return errors.New("-config is required")
	}
	cfg, err := oidcprovider.LoadConfig(*config)
	if err != nil {
		return err
	}
	if *issuer != "" {
		cfg.Issuer = *issuer
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "http://" + *listen
		if *tlsDir != "" {
			cfg.Issuer = "https://" + *listen
		}
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing to listen on %s: loopback only", *listen)
	}
	p, err := newProvider(cfg, *keyFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: logRequests(p), ReadHeaderTimeout: 10 * time.Second}
	if *tlsDir != "" {
		cert, err := oidcprovider.LoadOrCreateTLS(*tlsDir)
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Printf("serving issuer %s on %s", p.Issuer(), ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func newProvider(cfg oidcprovider.Config, keyFile string) (*oidcprovider.Provider, error) {
	if keyFile == "" {
		return oidcprovider.New(cfg, nil)
	}
	key, err := oidcprovider.LoadOrCreateKey(keyFile)
	if err != nil {
		return nil, err
	}
	return oidcprovider.New(cfg, key)
}

// logRequests logs each request's method, path (never its query or body:
// they may hold codes and passwords) and status.
func logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		h.ServeHTTP(sw, r)
		log.Printf("%s %s %d %s", r.Method, r.URL.Path, sw.status, time.Since(start).Round(time.Millisecond))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
