// Package bookingsapp wires the bookings function (BookingsFunction): the catalogue,
// bookings, waiting lists, ballots, cancellations, e-tickets and door check-ins. Other
// functions that act on bookings build the booking service here too.
package bookingsapp

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/web"
)

// TicketNeeds is the configuration the booking service reads to sign and verify tickets.
var TicketNeeds = config.Needs{Required: []string{"TICKET_SIGNING_KEY"}}

// CheckNeeds is the configuration of a booking service that only checks tickets in
// (Checker): the public key.
var CheckNeeds = config.Needs{Required: []string{"TICKET_PUBLIC_KEY"}}

// Needs is the configuration the bookings function reads: a real-name session's
// booking for a family member keeps their ID number's hash.
var Needs = boot.Needs.And(boot.SessionNeeds, TicketNeeds, boot.IDKeyNeeds)

// Router returns the bookings function's routes.
func Router(b *boot.Base) (*web.Router, error) {
	p, err := b.PolicyFor(Needs)
	if err != nil {
		return nil, err
	}
	svc, err := Service(b)
	if err != nil {
		return nil, err
	}
	return booking.Handler(svc, p), nil
}

// Service returns the booking service; it needs TICKET_SIGNING_KEY (base64 of a 32-byte
// Ed25519 seed), and takes family members' bookings on real-name sessions where
// ID_HASH_KEY is configured (the key of their ID numbers' hashes), as the functions that
// book require (Needs).
func Service(b *boot.Base) (*booking.Service, error) {
	svc, err := keyed(b, TicketNeeds, "TICKET_SIGNING_KEY", booking.NewSigner)
	if err != nil {
		return nil, err
	}
	if b.Check(boot.IDKeyNeeds) == nil {
		if svc.IDKey, err = b.IDHashKey(); err != nil {
			return nil, err
		}
	}
	return svc, nil
}

// Checker returns the booking service of a function that checks tickets in but issues
// none (the door scans of the console and the chat): it holds only the public key
// (TICKET_PUBLIC_KEY), so the key that signs tickets stays where tickets are issued.
func Checker(b *boot.Base) (*booking.Service, error) {
	return keyed(b, CheckNeeds, "TICKET_PUBLIC_KEY", booking.NewVerifier)
}

// keyed is the service with the ticket key the secret variable v holds, made by parse.
func keyed(b *boot.Base, n config.Needs, v string, parse func(string) (*booking.Signer, error)) (*booking.Service, error) {
	if err := b.Check(n); err != nil {
		return nil, err
	}
	key, err := b.Secret(v)
	if err != nil {
		return nil, err
	}
	signer, err := parse(key)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", v, err)
	}
	svc := Unsigned(b)
	svc.Signer = signer
	return svc, nil
}

// Unsigned is the service without a ticket signer: enough for the scheduler's
// promotions and the evaluation's attendance, which issue no tickets (tickets are
// signed when shown).
func Unsigned(b *boot.Base) *booking.Service {
	bookings, catalog, dir := &bookingdb.Bookings{DB: b.DB, Table: b.Table}, &bookingdb.Catalog{DB: b.DB, Table: b.Table}, b.Directory()
	return &booking.Service{
		Store:      bookings,
		Catalog:    catalog,
		Districts:  dir,
		Venues:     dir,
		Ballots:    bookings,
		NoShows:    bookings,
		Schedules:  catalog,
		Polls:      bookings,
		Screenings: bookings,
		Places:     dir,
		Locations:  b.People(),
		Homes:      b.People(),
		Family:     b.People(),
		Now:        b.Now,
		SoldOut:    booking.NewSoldOut(booking.SoldOutMemory),
		NewID:      uuid.NewString,
		Log:        b.Log,
	}
}

// Jobs are the booking's timed work: the draw of ballots whose window closed, the
// generation of weekly classes, the release of bookings nobody claimed at the door, and
// the sweep that promotes from waiting lists when a promotion failed after the
// cancellation that freed the places.
func Jobs(b *boot.Base) []boot.Job {
	svc := Unsigned(b)
	return []boot.Job{{
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
