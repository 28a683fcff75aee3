package boot

import (
	"context"
	"net/http"
	"sync"

	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/secrets"
	"github.com/wentitong/wentitong/shared/web"
)

// FromEnv reads a deployed function's configuration from the process environment and,
// when it names secrets by reference, the Secrets Manager client that reads them (the
// AWS SDK's default configuration: the function's role, and
// AWS_ENDPOINT_URL_SECRETS_MANAGER where the smoke test sets it).
func FromEnv(ctx context.Context) (config.Config, Options, error) {
	cfg := config.FromEnv()
	if len(cfg.Refs) == 0 {
		return cfg, Options{}, nil
	}
	c, err := secrets.New(ctx, "")
	if err != nil {
		return config.Config{}, Options{}, err
	}
	return cfg, Options{Secrets: c}, nil
}

// Live is a function's handler, built from its configuration at the cold start and
// built again when a secret it read was rotated: once the secrets read are older than
// the cache's TTL (five minutes), the next call reads them again and, if one changed,
// rebuilds the handler with the new value. A failed read or rebuild keeps the handler
// it has (and is logged), so a Secrets Manager outage does not stop a running function.
type Live[H any] struct {
	cfg   config.Config
	opts  Options
	build func(*Base) (H, error)

	mu  sync.Mutex
	cur H
	b   *Base
}

// NewLive builds a function's handler with build on a Base of cfg and o. It fails when
// a secret cannot be read or the handler cannot be built: a cold start without its
// configuration must fail loudly.
func NewLive[H any](ctx context.Context, cfg config.Config, o Options, build func(*Base) (H, error)) (*Live[H], error) {
	l := &Live[H]{cfg: cfg, opts: o, build: build}
	if err := l.rebuild(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Live[H]) rebuild(ctx context.Context) error {
	b, err := New(ctx, l.cfg, l.opts)
	if err != nil {
		return err
	}
	h, err := l.build(b)
	if err != nil {
		return err
	}
	l.opts.DB = b.DB // the next build reuses the client
	l.cur, l.b = h, b
	return nil
}

// Current returns the handler for the secrets as they are now.
func (l *Live[H]) Current(ctx context.Context) H {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.opts.Secrets
	if c == nil || c.Fresh() {
		return l.cur
	}
	changed := false
	l.b.mu.Lock()
	read := l.b.read
	l.b.mu.Unlock()
	for v, old := range read {
		ref := l.cfg.Refs[v]
		if ref == "" {
			continue // a plain value, which does not rotate
		}
		val, err := c.Get(ctx, ref)
		if err != nil {
			l.b.Log.Error("read a secret again; keeping the value read before", "secret", v, "err", err)
			return l.cur
		}
		changed = changed || val != old
	}
	if !changed {
		return l.cur
	}
	if err := l.rebuild(ctx); err != nil {
		l.b.Log.Error("rebuild with a rotated secret; keeping the one read before", "err", err)
		return l.cur
	}
	l.b.Log.Info("a secret was rotated: handler rebuilt")
	return l.cur
}

// HTTP returns the live handler of an HTTP function whose routes build makes, with
// web.Wrap's request ids, access log and recovery.
func HTTP(ctx context.Context, cfg config.Config, o Options, build func(*Base) (*web.Router, error)) (http.Handler, error) {
	l, err := NewLive(ctx, cfg, o, func(b *Base) (http.Handler, error) {
		rt, err := build(b)
		if err != nil {
			return nil, err
		}
		return web.Wrap(rt, b.Log), nil
	})
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.Current(r.Context()).ServeHTTP(w, r)
	}), nil
}

// MustLive is NewLive on the process environment (FromEnv), for mains: it exits when
// the cold start cannot build the handler.
func MustLive[H any](build func(*Base) (H, error)) *Live[H] {
	ctx := context.Background()
	cfg, o, err := FromEnv(ctx)
	return Must(NewLive(ctx, Must(cfg, err), o, build))
}

// MustHTTP is HTTP on the process environment (FromEnv), for mains: it exits when the
// cold start cannot build the routes.
func MustHTTP(build func(*Base) (*web.Router, error)) http.Handler {
	ctx := context.Background()
	cfg, o, err := FromEnv(ctx)
	return Must(HTTP(ctx, Must(cfg, err), o, build))
}
