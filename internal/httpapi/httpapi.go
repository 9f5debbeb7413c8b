// Package httpapi serves newsbot's HTTP side: health and readiness, and the
// routes features add (metrics, /api/typo, /api/publish, /typo.js), behind
// read, header and write timeouts.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Check is one readiness condition; nil means ready.
type Check func(ctx context.Context) error

// Server is the HTTP server on HTTP_ADDR.
type Server struct {
	Mux    *http.ServeMux
	checks map[string]Check
	srv    *http.Server
	log    *slog.Logger
}

// New builds the server with /healthz and /readyz.
func New(log *slog.Logger) *Server {
	s := &Server{Mux: http.NewServeMux(), checks: map[string]Check{}, log: log}
	s.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.Mux.HandleFunc("GET /readyz", s.ready)
	return s
}

// AddCheck adds a readiness condition.
func (s *Server) AddCheck(name string, c Check) { s.checks[name] = c }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, code := map[string]string{}, http.StatusOK
	for name, c := range s.checks {
		status[name] = "ok"
		if err := c(ctx); err != nil {
			status[name], code = err.Error(), http.StatusServiceUnavailable
		}
	}
	writeJSON(w, code, status)
}

// Listen binds addr (so a bad address fails the start, not later).
func (s *Server) Listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("httpapi: listen on HTTP_ADDR=%s: %w", addr, err)
	}
	return l, nil
}

// Serve serves until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.srv = &http.Server{
		Handler:           s.Mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: shutdown: %w", err)
	}
	return nil
}

// Timeouts exposes the configured server for tests of its limits.
func (s *Server) Timeouts() *http.Server { return s.srv }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteJSON answers with a JSON body (for feature handlers).
func WriteJSON(w http.ResponseWriter, code int, v any) { writeJSON(w, code, v) }
