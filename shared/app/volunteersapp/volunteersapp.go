// Package volunteersapp wires the volunteers function (VolunteersFunction): registration,
// the status lifecycle, shifts with QR codes, sign-ups, hours and training. Other
// functions that act on volunteers build the volunteer service here too.
package volunteersapp

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the volunteers function reads: the shifts' QR codes come
// from WeChat's API.
var Needs = boot.Needs.And(boot.SessionNeeds, boot.WeChatAPINeeds)

// idNumberKeyInfo names the key derived from SESSION_SECRET for the ID number hash
// (docs/decisions.md): changing it, or the secret, changes every hash.
const idNumberKeyInfo = "wentitong volunteer id-number hash v1"

// Router returns the volunteers function's routes; qr makes the shifts' QR codes
// (wechatapi.API's QRCodes).
func Router(b *boot.Base, qr volunteer.QRCodes) (*web.Router, error) {
	p, err := b.PolicyFor(Needs)
	if err != nil {
		return nil, err
	}
	svc := Service(b, qr)
	if len(svc.IDKey) < 32 {
		return nil, fmt.Errorf("config: cannot derive the ID number hash key from SESSION_SECRET")
	}
	rt := volunteer.Handler(svc, p)
	training.Routes(rt, Training(b))
	return rt, nil
}

// Service returns the volunteer service; qr may be nil where no shift is created (the
// scheduler, the WeChat callback). Registration needs SESSION_SECRET (the ID number hash
// key is derived from it); everything else works without it.
func Service(b *boot.Base, qr volunteer.QRCodes) *volunteer.Service {
	dir := b.Directory()
	store := &volunteerdb.Volunteers{DB: b.DB, Table: b.Table}
	svc := &volunteer.Service{
		Store:     store,
		People:    store,
		Directory: dir,
		Guard:     b.Guard(),
		QR:        qr,
		Now:       b.Now,
		NewID:     uuid.NewString,
		Log:       b.Log,
	}
	if len(b.Config.SessionSecret) >= auth.MinSecretLen {
		key, err := hkdf.Key(sha256.New, []byte(b.Config.SessionSecret), nil, idNumberKeyInfo, 32)
		if err == nil {
			svc.IDKey = key
		}
	}
	return svc
}

// Training returns the training service (courses, attendance, compliance).
func Training(b *boot.Base) *training.Service {
	return &training.Service{
		Store: &volunteerdb.Volunteers{DB: b.DB, Table: b.Table}, Districts: b.Directory(), Guard: b.Guard(), Targets: training.DefaultTargets,
		Now: b.Now, NewID: uuid.NewString, Log: b.Log,
	}
}

// Jobs are the volunteer domain's timed work.
func Jobs(b *boot.Base) []boot.Job {
	svc := Service(b, nil)
	return []boot.Job{{
		Name: "volunteer-forgotten-checkouts",
		Run: func(ctx context.Context, now time.Time) error {
			_, err := svc.CloseForgotten(ctx, now)
			return err
		},
	}, {
		Name: "volunteer-reconfirmation",
		Run: func(ctx context.Context, now time.Time) error {
			_, err := svc.ReviewRegistrations(ctx, now)
			return err
		},
	}}
}
