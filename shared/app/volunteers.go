package app

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat"
)

// idNumberKeyInfo names the key derived from SESSION_SECRET for the ID number hash
// (docs/decisions.md): changing it, or the secret, changes every hash.
const idNumberKeyInfo = "wentitong volunteer id-number hash v1"

// Volunteer returns the volunteer service. Registration needs SESSION_SECRET (the ID
// number hash key is derived from it); everything else, including the scheduler's job
// and the WeChat callback's scans, works without it.
func (a *App) Volunteer() *volunteer.Service {
	a.volunteerOnce.Do(func() {
		a.volunteer = &volunteer.Service{
			Store:     a.Volunteers,
			People:    a.Volunteers,
			Directory: a.Directory,
			QR:        wechat.NewQRCodes(a.OA),
			Now:       a.Now,
			NewID:     uuid.NewString,
			Log:       a.Log,
		}
		if len(a.Config.SessionSecret) >= auth.MinSecretLen {
			key, err := hkdf.Key(sha256.New, []byte(a.Config.SessionSecret), nil, idNumberKeyInfo, 32)
			if err == nil {
				a.volunteer.IDKey = key
			}
		}
	})
	return a.volunteer
}

func (a *App) volunteersRouter() (*web.Router, error) {
	sessions, err := a.Auth()
	if err != nil {
		return nil, err
	}
	svc := a.Volunteer()
	if len(svc.IDKey) < 32 {
		return nil, fmt.Errorf("config: cannot derive the ID number hash key from SESSION_SECRET")
	}
	rt := volunteer.Handler(svc, sessions)
	training.Routes(rt, a.Training(), sessions)
	return rt, nil
}

// Training returns the training service (courses, attendance, compliance).
func (a *App) Training() *training.Service {
	return &training.Service{
		Store: a.Volunteers, Districts: a.Directory, Targets: training.DefaultTargets,
		Now: a.Now, NewID: uuid.NewString, Log: a.Log,
	}
}

// volunteerJobs are the volunteer domain's scheduled work.
func (a *App) volunteerJobs() []Job {
	return []Job{{
		Name: "volunteer-forgotten-checkouts",
		Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Volunteer().CloseForgotten(ctx, now)
			return err
		},
	}, {
		Name: "volunteer-reconfirmation",
		Run: func(ctx context.Context, now time.Time) error {
			_, err := a.Volunteer().ReviewRegistrations(ctx, now)
			return err
		},
	}}
}
