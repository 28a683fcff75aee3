package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/fault"
)

// Schedule is a weekly class (fitness, mostly) that generates its slots some weeks
// ahead: on its weekdays at its time (China time), within its season, skipping holidays.
type Schedule struct {
	ID           string   `json:"id"`
	ActivityID   string   `json:"activityId"`
	Weekdays     []int    `json:"weekdays"`  // 1 Monday … 7 Sunday
	StartTime    string   `json:"startTime"` // "07:00", China time
	Minutes      int      `json:"durationMinutes"`
	Capacity     int      `json:"capacity"`
	MaxPartySize int      `json:"maxPartySize,omitempty"` // 0: 1
	Instructor   string   `json:"instructor,omitempty"`
	SeasonStart  string   `json:"seasonStart" input:"date"` // YYYY-MM-DD, first day classes may take place
	SeasonEnd    string   `json:"seasonEnd" input:"date"`   // YYYY-MM-DD, last day
	Holidays     []string `json:"holidays,omitempty" input:"date"`
	WeeksAhead   int      `json:"weeksAhead,omitempty"` // 0: 4
	// OpensDaysBefore is how many days before a class booking opens (0: 7).
	OpensDaysBefore int `json:"opensDaysBefore,omitempty"`
}

// ErrScheduleInvalid is a schedule that cannot generate classes.
var ErrScheduleInvalid = fault.New(fault.Invalid, "schedule_invalid", "课程表无效：请检查星期、时间、时长、名额和季节日期")

// ErrSlotExists is Catalog.CreateSlot's answer when a slot of that id exists already.
var ErrSlotExists = errors.New("slot exists")

// Schedules keeps weekly schedules.
type Schedules interface {
	PutSchedule(ctx context.Context, s Schedule) error
	// Schedule returns a schedule; ok is false when there is none.
	Schedule(ctx context.Context, id string) (s Schedule, ok bool, err error)
	// AllSchedules returns every schedule.
	AllSchedules(ctx context.Context) ([]Schedule, error)
}

func (sc Schedule) season() (from, to time.Time, err error) {
	if from, err = time.ParseInLocation(time.DateOnly, sc.SeasonStart, beijing.Zone); err != nil {
		return
	}
	to, err = time.ParseInLocation(time.DateOnly, sc.SeasonEnd, beijing.Zone)
	return
}

// Validate reports ErrScheduleInvalid unless the schedule has an id of at most 50
// characters, an activity, weekdays in 1..7, a start time, a positive duration of at
// most a day and capacity, a season that ends after it starts and well-formed holidays.
func (sc Schedule) Validate() error {
	from, to, err := sc.season()
	_, terr := time.Parse("15:04", sc.StartTime)
	switch {
	case !ValidID(sc.ID) || len(sc.ID) > 50 || sc.ActivityID == "" || len(sc.Weekdays) == 0:
	case err != nil || terr != nil || to.Before(from):
	case sc.Minutes <= 0 || sc.Minutes > 24*60 || sc.Capacity <= 0 || sc.MaxPartySize < 0 || sc.WeeksAhead < 0 || sc.WeeksAhead > 26 || sc.OpensDaysBefore < 0:
	default:
		for _, d := range sc.Weekdays {
			if d < 1 || d > 7 {
				return ErrScheduleInvalid
			}
		}
		for _, h := range sc.Holidays {
			if _, err := time.Parse(time.DateOnly, h); err != nil {
				return ErrScheduleInvalid
			}
		}
		return nil
	}
	return ErrScheduleInvalid
}

// Starts returns the start times of the classes from now up to WeeksAhead weeks later:
// days in the season on the schedule's weekdays that are not holidays.
func (sc Schedule) Starts(now time.Time) []time.Time {
	from, to, err := sc.season()
	if err != nil {
		return nil
	}
	clock, _ := time.Parse("15:04", sc.StartTime)
	weeks := sc.WeeksAhead
	if weeks == 0 {
		weeks = 4
	}
	today := now.In(beijing.Zone)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, beijing.Zone)
	var out []time.Time
	for i := 0; i < weeks*7; i++ {
		d := day.AddDate(0, 0, i)
		if !sc.includes(d, from, to) {
			continue
		}
		start := d.Add(time.Duration(clock.Hour())*time.Hour + time.Duration(clock.Minute())*time.Minute)
		if start.After(now) {
			out = append(out, start.UTC())
		}
	}
	return out
}

// includes reports whether the schedule has a class on day d (midnight, China time).
func (sc Schedule) includes(d, from, to time.Time) bool {
	if d.Before(from) || d.After(to) || slices.Contains(sc.Holidays, d.Format(time.DateOnly)) {
		return false
	}
	wd := int(d.Weekday())
	if wd == 0 {
		wd = 7
	}
	return slices.Contains(sc.Weekdays, wd)
}

// ScheduleChange is what saving a schedule did: classes created, unbooked future classes
// moved to the new pattern or cancelled, and booked ones kept as they were (their
// holders' bookings stand; staff decide, and cancelling a slot tells its holders).
type ScheduleChange struct {
	Created   int      `json:"created"`
	Changed   []string `json:"changed"`
	Cancelled []string `json:"cancelled"`
	Kept      []string `json:"kept"`
}

// ClassSlotID is the id of a schedule's class on a day: the same every run, which is
// what makes generation idempotent.
func ClassSlotID(scheduleID string, start time.Time) string {
	return scheduleID + "-" + start.In(beijing.Zone).Format("20060102")
}

// PutSchedule saves a schedule and generates its classes at once. Replacing a schedule
// changes its future classes that nobody booked (time, length, capacity, or cancelled
// when their day left the schedule); booked ones are kept and listed. Errors:
// ErrScheduleInvalid, ErrActivityNotFound.
func (s *Service) PutSchedule(ctx context.Context, sc Schedule) (ScheduleChange, error) {
	ch := ScheduleChange{Changed: []string{}, Cancelled: []string{}, Kept: []string{}}
	if err := sc.Validate(); err != nil {
		return ch, err
	}
	if _, err := s.Activity(ctx, sc.ActivityID); err != nil {
		return ch, err
	}
	old, existed, err := s.Schedules.Schedule(ctx, sc.ID)
	if err != nil {
		return ch, err
	}
	if err := s.Schedules.PutSchedule(ctx, sc); err != nil {
		return ch, err
	}
	if existed {
		if err := s.reschedule(ctx, old, sc, &ch); err != nil {
			return ch, err
		}
	}
	ch.Created, err = s.Generate(ctx, sc)
	return ch, err
}

// reschedule brings the old schedule's future classes in line with sc, unbooked ones only.
func (s *Service) reschedule(ctx context.Context, old, sc Schedule, ch *ScheduleChange) error {
	from, to, _ := sc.season()
	clock, _ := time.Parse("15:04", sc.StartTime)
	for _, start := range old.Starts(s.Now()) {
		id := ClassSlotID(old.ID, start)
		sl, err := s.Catalog.Slot(ctx, id)
		if errors.Is(err, ErrSlotNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		d := start.In(beijing.Zone)
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, beijing.Zone)
		newStart := day.Add(time.Duration(clock.Hour())*time.Hour + time.Duration(clock.Minute())*time.Minute).UTC()
		newEnd := newStart.Add(time.Duration(sc.Minutes) * time.Minute)
		keep := sc.includes(day, from, to)
		same := sl.StartsAt.Equal(newStart) && sl.EndsAt.Equal(newEnd) && sl.Capacity == sc.Capacity && sl.Instructor == sc.Instructor
		switch {
		case sl.Status == SlotCancelled, keep && same:
		case sl.Booked > 0:
			ch.Kept = append(ch.Kept, id)
		case !keep:
			if _, _, err := s.CancelSlot(ctx, id); err != nil {
				return err
			}
			ch.Cancelled = append(ch.Cancelled, id)
		default:
			closes := newStart
			if _, err := s.EditSlot(ctx, id, SlotPatch{StartsAt: &newStart, EndsAt: &newEnd, Capacity: &sc.Capacity, BookingClosesAt: &closes}); err != nil {
				return err
			}
			if sl.Instructor != sc.Instructor {
				if err := s.setInstructor(ctx, id, sc.Instructor); err != nil {
					return err
				}
			}
			ch.Changed = append(ch.Changed, id)
		}
	}
	return nil
}

func (s *Service) setInstructor(ctx context.Context, id, who string) error {
	old, err := s.Catalog.Slot(ctx, id)
	if err != nil {
		return err
	}
	sl := old
	sl.Instructor = who
	return s.Catalog.UpdateSlot(ctx, old, sl)
}

// Generate creates the schedule's classes that do not exist yet, up to WeeksAhead weeks
// ahead, and returns how many it created. Running it twice creates nothing twice: a
// class's slot id is the schedule's and the day, and an existing one is left as it is
// (with its bookings).
func (s *Service) Generate(ctx context.Context, sc Schedule) (int, error) {
	a, err := s.Activity(ctx, sc.ActivityID)
	if err != nil {
		return 0, err
	}
	venue := ""
	if s.Venues != nil {
		if name, _, ok, err := s.Venues.VenueOf(ctx, a.VenueID); err != nil {
			return 0, err
		} else if ok {
			venue = name
		}
	}
	now := s.Now()
	opens := sc.OpensDaysBefore
	if opens == 0 {
		opens = 7
	}
	n := 0
	for _, start := range sc.Starts(now) {
		id := ClassSlotID(sc.ID, start)
		if _, err := s.Catalog.Slot(ctx, id); err == nil {
			continue
		} else if !errors.Is(err, ErrSlotNotFound) {
			return n, err
		}
		sl := Slot{ID: id, ActivityID: a.ID, Kind: a.Kind, StartsAt: start, EndsAt: start.Add(time.Duration(sc.Minutes) * time.Minute),
			Capacity: sc.Capacity, BookingOpensAt: later(now.UTC().Truncate(time.Second), start.AddDate(0, 0, -opens)), BookingClosesAt: start,
			MaxPartySize: max(sc.MaxPartySize, 1), Mode: ModeFirstCome, Status: SlotScheduled, Title: a.Title, VenueName: venue,
			Instructor: sc.Instructor}
		switch err := s.Catalog.CreateSlot(ctx, sl); {
		case errors.Is(err, ErrSlotExists):
		case err != nil:
			return n, fmt.Errorf("generate %s: %w", id, err)
		default:
			n++
		}
	}
	return n, nil
}

// GenerateClasses is the scheduler's job: every schedule's classes, up to its horizon.
func (s *Service) GenerateClasses(ctx context.Context) error {
	if s.Schedules == nil {
		return nil
	}
	all, err := s.Schedules.AllSchedules(ctx)
	if err != nil {
		return fmt.Errorf("generate classes: %w", err)
	}
	var errs []error
	for _, sc := range all {
		if _, err := s.Generate(ctx, sc); err != nil {
			errs = append(errs, fmt.Errorf("schedule %s: %w", sc.ID, err))
		}
	}
	return errors.Join(errs...)
}
