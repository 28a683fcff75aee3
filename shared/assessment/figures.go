package assessment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/report"
)

// Measured is a unit with the values of the computed measures for a year (nil: no
// value, with a note saying why).
type Measured struct {
	Unit   Unit
	Values map[Measure]*float64
	Notes  map[Measure]string
}

// Owner is an institution as the figures need it: the venues it owns.
type Owner struct {
	ID, Name, DistrictID string
	County               string // the county-level district it belongs to ("" for the city's)
	Venues               []string
}

// Counted computes units' figures from what the platform keeps: the report counters of
// districts and venues for the year, the satisfaction tallies, the staff's training,
// and the feedback tickets filed in the year. Nothing is seeded: a figure is what the
// counters hold.
type Counted struct {
	// Metrics returns the counters of a district or a venue (report.VenueKey) for a period.
	Metrics interface {
		Metrics(ctx context.Context, key, period string) (report.Metrics, error)
	}
	// Tallies returns a subject's satisfaction tally for a period.
	Tallies interface {
		Tally(ctx context.Context, subject, period string) (evaluation.Tally, error)
	}
	// Training returns how many appointees of a district's subtree have a training
	// target in a year, and how many met it.
	Training interface {
		Counts(ctx context.Context, d directory.District, year int) (required, compliant int, err error)
	}
	Places interface {
		Districts(ctx context.Context) ([]directory.District, error)
	}
	// Tickets returns the feedback tickets filed in [from, to).
	Tickets interface {
		Tickets(ctx context.Context, from, to time.Time) ([]evaluation.Ticket, error)
	}
	// Owners returns the institutions and the venues each owns.
	Owners func(ctx context.Context) ([]Owner, error)
	Now    func() time.Time
}

// NoteSample is the note of a satisfaction index left out for too few ratings.
var NoteSample = fmt.Sprintf("评价不足 %d 条，不计满意度", evaluation.MinSample)

// yearWindow returns the year's bounds in Beijing time.
func yearWindow(year int) (from, to time.Time) {
	from = time.Date(year, 1, 1, 0, 0, 0, 0, beijing.Zone)
	return from, from.AddDate(1, 0, 0)
}

// onTime counts tickets answered within their deadline among those that are due.
type onTime struct{ due, kept int }

// add counts a ticket as of now: answered in time, answered late or overdue count;
// open tickets not yet due do not.
func (o *onTime) add(t evaluation.Ticket, now time.Time) {
	switch {
	case t.Status == evaluation.TicketAnswered:
		o.due++
		if !t.RepliedAt.After(t.DueAt) {
			o.kept++
		}
	case t.Overdue(now):
		o.due++
	}
}

// percent returns 100·n/of rounded to one decimal, nil when of is 0.
func percent(n, of int) *float64 {
	if of <= 0 {
		return nil
	}
	v := Round1(100 * float64(n) / float64(of))
	return &v
}

func value(n int) *float64 {
	v := float64(n)
	return &v
}

// Measure returns the units of a level with their computed figures for the year: every
// district of the level, or every institution; only the unit id when it is not "".
func (c *Counted) Measure(ctx context.Context, level Level, year int, id string) ([]Measured, error) {
	from, to := yearWindow(year)
	tickets, err := c.Tickets.Tickets(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("measure %s %d: %w", level, year, err)
	}
	now := c.Now()
	period := fmt.Sprint(year)
	if level == LevelInstitution {
		return c.institutions(ctx, period, tickets, now, id)
	}
	all, err := c.Places.Districts(ctx)
	if err != nil {
		return nil, fmt.Errorf("measure %s %d: %w", level, year, err)
	}
	var out []Measured
	for _, d := range all {
		if string(d.Level) != string(level) || id != "" && d.ID != id {
			continue
		}
		m, err := c.district(ctx, d, all, period, year, tickets, now)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if id != "" && len(out) == 0 {
		return nil, ErrUnitNotFound
	}
	return out, nil
}

// activity fills in the figures both kinds of unit have from the counters and tallies.
func activity(m *Measured, metrics report.Metrics, tally evaluation.Tally, subject, period string, feedback onTime) {
	m.Values[MeasureSessions] = value(metrics[report.MetricSessions])
	m.Values[MeasureBookings] = value(metrics[report.MetricBookings])
	m.Values[MeasureAttendance] = value(metrics[report.MetricAttendance])
	m.Values[MeasureAttendanceRate] = percent(metrics[report.MetricAttendance], metrics[report.MetricBookings])
	m.Values[MeasureResidents] = value(metrics[report.MetricUniqueResidents])
	if s := tally.Satisfaction(subject, period); s.Sufficient {
		m.Values[MeasureSatisfaction] = s.Index
	} else {
		m.Notes[MeasureSatisfaction] = NoteSample
	}
	m.Values[MeasureFeedbackOnTime] = percent(feedback.kept, feedback.due)
	if feedback.due == 0 {
		m.Notes[MeasureFeedbackOnTime] = "无到期意见"
	}
}

func (c *Counted) district(ctx context.Context, d directory.District, all []directory.District, period string, year int, tickets []evaluation.Ticket, now time.Time) (Measured, error) {
	m := Measured{Unit: Unit{ID: d.ID, Name: d.Name, ParentID: d.ParentID}, Values: map[Measure]*float64{}, Notes: map[Measure]string{}}
	metrics, err := c.Metrics.Metrics(ctx, d.ID, period)
	if err != nil {
		return m, fmt.Errorf("measure %s: %w", d.ID, err)
	}
	tally, err := c.Tallies.Tally(ctx, "district:"+d.ID, period)
	if err != nil {
		return m, fmt.Errorf("measure %s: %w", d.ID, err)
	}
	var feedback onTime
	for _, t := range tickets {
		if t.DistrictPath == d.Path || strings.HasPrefix(t.DistrictPath, d.Path+"/") {
			feedback.add(t, now)
		}
	}
	activity(&m, metrics, tally, "district:"+d.ID, period, feedback)
	if d.Population > 0 {
		v := Round1(float64(metrics[report.MetricUniqueResidents]) * 1000 / float64(d.Population))
		m.Values[MeasureResidentsPer1k] = &v
	} else {
		m.Notes[MeasureResidentsPer1k] = "未登记人口"
	}
	m.Values[MeasureVolunteersActive] = value(metrics[report.MetricVolunteersActive])
	if d.Level != directory.LevelVillage {
		required, compliant, err := c.Training.Counts(ctx, d, year)
		if err != nil {
			return m, fmt.Errorf("measure %s: %w", d.ID, err)
		}
		m.Values[MeasureTraining] = percent(compliant, required)
		villages := 0
		for _, v := range all {
			if v.Level == directory.LevelVillage && v.Within(d) {
				villages++
			}
		}
		m.Values[MeasureCoverage] = percent(metrics[report.MetricActiveVillages], villages)
	}
	return m, nil
}

// institutions measures institutions by adding up the counters and tallies of the
// venues each owns now (decision 45): its distinct residents are the sum over its
// venues.
func (c *Counted) institutions(ctx context.Context, period string, tickets []evaluation.Ticket, now time.Time, id string) ([]Measured, error) {
	var owners []Owner
	if c.Owners != nil {
		var err error
		if owners, err = c.Owners(ctx); err != nil {
			return nil, fmt.Errorf("measure institutions: %w", err)
		}
	}
	var out []Measured
	for _, o := range owners {
		if id != "" && o.ID != id {
			continue
		}
		m := Measured{Unit: Unit{ID: o.ID, Name: o.Name, ParentID: o.County}, Values: map[Measure]*float64{}, Notes: map[Measure]string{}}
		metrics := report.Metrics{}
		var tally evaluation.Tally
		owned := map[string]bool{}
		for _, v := range o.Venues {
			owned[v] = true
			vm, err := c.Metrics.Metrics(ctx, report.VenueKey(v), period)
			if err != nil {
				return nil, fmt.Errorf("measure %s: %w", o.ID, err)
			}
			for k, n := range vm {
				metrics[k] += n
			}
			t, err := c.Tallies.Tally(ctx, "venue:"+v, period)
			if err != nil {
				return nil, fmt.Errorf("measure %s: %w", o.ID, err)
			}
			tally.N, tally.Sum = tally.N+t.N, tally.Sum+t.Sum
			for i, n := range t.Stars {
				tally.Stars[i] += n
			}
		}
		var feedback onTime
		for _, t := range tickets {
			if t.VenueID != "" && owned[t.VenueID] {
				feedback.add(t, now)
			}
		}
		activity(&m, metrics, tally, "institution:"+o.ID, period, feedback)
		m.Values[MeasureActivities] = value(metrics[report.MetricActivities])
		if len(o.Venues) == 0 {
			m.Notes[MeasureSessions] = "名下没有场馆"
		}
		out = append(out, m)
	}
	if id != "" && len(out) == 0 {
		return nil, ErrUnitNotFound
	}
	return out, nil
}
