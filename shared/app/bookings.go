package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
)

// Booking returns the booking service; it needs TICKET_SIGNING_KEY (base64 of a 32-byte
// Ed25519 seed).
func (a *App) Booking() (*booking.Service, error) {
	if err := a.Config.Require("TICKET_SIGNING_KEY"); err != nil {
		return nil, err
	}
	signer, err := booking.NewSigner(a.Config.TicketSigningKey)
	if err != nil {
		return nil, fmt.Errorf("config: TICKET_SIGNING_KEY: %w", err)
	}
	svc := a.bookingService()
	svc.Signer = signer
	guard := directory.Guard{Scopes: a.Directory, Districts: a.Directory}
	svc.Scope = func(ctx context.Context, c auth.Claims, venueID string) error {
		v, err := a.Directory.Venue(ctx, venueID)
		if errors.Is(err, directory.ErrVenueNotFound) {
			return nil // the service refuses an unknown venue itself
		}
		if err != nil {
			return err
		}
		return guard.Permit(ctx, c, v.DistrictPath)
	}
	return svc, nil
}

// bookingService is the service without a ticket signer: enough for the scheduler's
// promotions, which issue no tickets (tickets are signed when shown).
func (a *App) bookingService() *booking.Service {
	return &booking.Service{
		Store:      a.Bookings,
		Catalog:    a.Catalog,
		Districts:  a.Directory,
		Venues:     a.Directory,
		Ballots:    a.Bookings,
		NoShows:    a.Bookings,
		Schedules:  a.Catalog,
		Polls:      a.Bookings,
		Screenings: a.Bookings,
		Places:     a.Directory,
		Now:        a.Now,
		NewID:      uuid.NewString,
		Log:        a.Log,
	}
}

// bookingJobs are the booking's timed work: the draw of ballots whose window closed,
// the release of bookings nobody claimed at the door, and the sweep that promotes from waiting lists when a promotion failed after the
// cancellation that freed the places.
func (a *App) bookingJobs() []Job {
	svc := a.bookingService()
	return []Job{{
		Name: "draw-ballots",
		Run:  func(ctx context.Context, _ time.Time) error { return svc.DrawBallots(ctx) },
	}, {
		Name: "generate-classes",
		Run: func(ctx context.Context, now time.Time) error {
			if now.Minute() != 0 { // hourly is plenty: classes are generated weeks ahead
				return nil
			}
			return svc.GenerateClasses(ctx)
		},
	}, {
		Name: "release-no-shows",
		Run:  func(ctx context.Context, _ time.Time) error { return svc.ReleaseNoShows(ctx) },
	}, {
		Name: "promote-waiting-lists",
		Run:  func(ctx context.Context, _ time.Time) error { return svc.PromoteWaiting(ctx) },
	}}
}
