package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// httpServer is an http.Server running on its own listener.
type httpServer struct {
	srv  *http.Server
	url  string
	done chan struct{} // closed when Serve has returned
	err  error         // why Serve returned, nil after stop
}

// serve starts h on ln and returns at once.
func serve(ln net.Listener, h http.Handler, log *slog.Logger) *httpServer {
	s := &httpServer{
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		url:  "http://" + ln.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s
}

// serveLoopback starts h on a free port of 127.0.0.1.
func serveLoopback(h http.Handler, log *slog.Logger) (*httpServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	return serve(ln, h, log), nil
}

// stop lets the requests in flight finish, for at most the grace period, and waits for
// the server to be done.
func (s *httpServer) stop(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.done
	return errors.Join(err, s.err)
}
