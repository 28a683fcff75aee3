package booking

import (
	"context"
	"errors"
	"net/http"

	"github.com/wentitong/wentitong/shared/access"
)

// targets resolves what a staff route of the booking context acts on to the district
// paths its rule checks (access.Target): where the target is now and, for a change,
// where the change would put it. Where a target is now may be gone (a venue removed):
// it resolves to "", a target in no district, which only admins may act on; where a
// change would put it must exist (ErrVenueUnknown, ErrDistrictUnknown).
type targets struct{ svc *Service }

// districtPath is the path of a district, or "" when there is none.
func (t targets) districtPath(ctx context.Context, id string) (string, error) {
	if t.svc.Districts == nil || id == "" {
		return "", nil
	}
	path, _, err := t.svc.Districts.DistrictPath(ctx, id)
	return path, err
}

// venuePath is the path of a venue's district, or "" when there is no such venue.
func (t targets) venuePath(ctx context.Context, id string) (string, error) {
	if t.svc.Venues == nil || id == "" {
		return "", nil
	}
	_, district, ok, err := t.svc.Venues.VenueOf(ctx, id)
	if err != nil || !ok {
		return "", err
	}
	return t.districtPath(ctx, district)
}

// activityPaths are the districts of an activity: its venue's and the one it is
// labelled with. It returns ErrActivityNotFound.
func (t targets) activityPaths(ctx context.Context, id string) ([]string, error) {
	a, err := t.svc.Activity(ctx, id)
	if err != nil {
		return nil, err
	}
	venue, err := t.venuePath(ctx, a.VenueID)
	if err != nil {
		return nil, err
	}
	paths := []string{venue}
	if a.DistrictID != "" {
		label, err := t.districtPath(ctx, a.DistrictID)
		if err != nil {
			return nil, err
		}
		paths = append(paths, label)
	}
	return paths, nil
}

// slotPaths are the districts of a slot's activity. It returns ErrSlotNotFound.
func (t targets) slotPaths(ctx context.Context, id string) ([]string, error) {
	if !ValidID(id) {
		return nil, ErrSlotNotFound
	}
	s, err := t.svc.Catalog.Slot(ctx, id)
	if err != nil {
		return nil, err
	}
	return t.activityPaths(ctx, s.ActivityID)
}

// slot is the target of the routes naming a slot in their path.
func (t targets) slot(r *http.Request) ([]string, error) {
	return t.slotPaths(r.Context(), r.PathValue("id"))
}

// activity is the target of the routes naming an activity in their path, with the
// venue and district an edit moves it to.
func (t targets) activity(r *http.Request) ([]string, error) {
	paths, err := t.activityPaths(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	var p ActivityPatch
	access.Body(r, &p)
	return t.placed(r.Context(), paths, p.VenueID, p.DistrictID)
}

// newActivity is the target of publishing an activity: its venue and its label.
func (t targets) newActivity(r *http.Request) ([]string, error) {
	var a Activity
	access.Body(r, &a)
	return t.placed(r.Context(), []string{}, &a.VenueID, &a.DistrictID)
}

// placed adds to paths the districts of a venue and a district label, when given.
// Errors: ErrVenueUnknown, ErrDistrictUnknown.
func (t targets) placed(ctx context.Context, paths []string, venueID, districtID *string) ([]string, error) {
	if venueID != nil {
		p, err := t.venuePath(ctx, *venueID)
		if err != nil {
			return nil, err
		}
		if p == "" {
			return nil, ErrVenueUnknown
		}
		paths = append(paths, p)
	}
	if districtID != nil && *districtID != "" {
		p, err := t.districtPath(ctx, *districtID)
		if err != nil {
			return nil, err
		}
		if p == "" {
			return nil, ErrDistrictUnknown
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// PlaceScope returns the districts an activity at venueID, labelled with districtID
// ("" for none), would lie in: what a staff member publishing or moving it must look
// after. Errors: ErrVenueUnknown, ErrDistrictUnknown.
func (s *Service) PlaceScope(ctx context.Context, venueID, districtID string) ([]string, error) {
	return targets{s}.placed(ctx, []string{}, &venueID, &districtID)
}

// ticket is the target of the door's scans: the slot the ticket admits to.
func (t targets) ticket(r *http.Request) ([]string, error) {
	var body struct {
		Ticket string `json:"ticket"`
	}
	access.Body(r, &body)
	return t.svc.TicketScope(r.Context(), body.Ticket)
}

// ActivityScope returns the districts of an activity: its venue's and its label's.
// Errors: ErrActivityNotFound.
func (s *Service) ActivityScope(ctx context.Context, id string) ([]string, error) {
	return targets{s}.activityPaths(ctx, id)
}

// SlotScope returns the districts of a slot's activity. Errors: ErrSlotNotFound,
// ErrActivityNotFound.
func (s *Service) SlotScope(ctx context.Context, id string) ([]string, error) {
	return targets{s}.slotPaths(ctx, id)
}

// TicketScope returns the districts of the slot a ticket admits to, which a staff
// member scanning it must look after. Errors: ErrTicketInvalid, ErrTicketRevoked.
func (s *Service) TicketScope(ctx context.Context, ticket string) ([]string, error) {
	tk, err := s.Signer.Verify(ticket)
	if err != nil {
		return nil, err
	}
	paths, err := targets{s}.slotPaths(ctx, tk.SlotID)
	if errors.Is(err, ErrSlotNotFound) || errors.Is(err, ErrActivityNotFound) {
		return nil, ErrTicketRevoked
	}
	return paths, err
}

// schedule is the target of a weekly schedule: the activity it generates classes of
// now, and the one the request gives it.
func (t targets) schedule(r *http.Request) ([]string, error) {
	ctx := r.Context()
	var paths []string
	if t.svc.Schedules != nil && ValidID(r.PathValue("id")) {
		old, ok, err := t.svc.Schedules.Schedule(ctx, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if ok {
			if paths, err = t.activityPaths(ctx, old.ActivityID); err != nil {
				return nil, err
			}
		}
	}
	var sc Schedule
	access.Body(r, &sc)
	next, err := t.activityPaths(ctx, sc.ActivityID)
	if err != nil {
		return nil, err
	}
	return append(paths, next...), nil
}

// poll is the target of a film poll: the village that votes.
func (t targets) poll(r *http.Request) ([]string, error) {
	var p FilmPoll
	access.Body(r, &p)
	return t.svc.PollScope(r.Context(), p.DistrictID)
}

// PollScope returns the district of the village a film poll is for, which a staff member
// offering it must look after. Errors: ErrPollInvalid (no such district).
func (s *Service) PollScope(ctx context.Context, districtID string) ([]string, error) {
	if districtID == "" {
		return nil, ErrPollInvalid
	}
	path, err := targets{s}.districtPath(ctx, districtID)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, ErrPollInvalid
	}
	return []string{path}, nil
}

// suspension is the target of lifting a suspension: SuspensionScope of the person the
// path names.
func (t targets) suspension(r *http.Request) ([]string, error) {
	return t.svc.SuspensionScope(r.Context(), r.PathValue("openid"))
}

// SuspensionScope returns the districts of the slot whose no-show suspended openid, which
// a staff member lifting the suspension must look after; a suspension that does not say
// (one written before it was recorded), or whose slot is gone, is an admin's to lift
// ([""]). Errors: ErrNotSuspended.
func (s *Service) SuspensionScope(ctx context.Context, openid string) ([]string, error) {
	if s.NoShows == nil {
		return []string{""}, nil
	}
	until, slotID, err := s.NoShows.Suspension(ctx, openid)
	if err != nil {
		return nil, err
	}
	if !s.Now().Before(until) {
		return nil, ErrNotSuspended
	}
	if slotID == "" {
		return []string{""}, nil
	}
	paths, err := s.SlotScope(ctx, slotID)
	if errors.Is(err, ErrSlotNotFound) || errors.Is(err, ErrActivityNotFound) {
		return []string{""}, nil
	}
	return paths, err
}
