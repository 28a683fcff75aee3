package countersdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/dynamo/reportdb"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/report"
)

// Counters keeps the report counters (METRIC#<district> / <period>) equal to the sum of
// the facts of the items they count (report.Fact): bookings, slots and volunteers. It is
// the consumer of the table's stream (CountersFunction; locally the runner's poller): for
// each changed item it reads the item as it is now, works out its facts, and applies the
// difference from the facts it applied last time, which it keeps per item
// (COUNTED#<item's PK>#<item's SK>). Applying the difference and recording the facts
// applied happen in one transaction conditioned on the record being unchanged, so a
// record delivered twice, two records of one item, or two consumers at once count once:
// the second finds nothing left to apply. Distinct metrics (participating residents,
// active villages) keep each member's total per district and period
// (DISTINCT#<metric>#<member> / <district>#<period>) and move by one when it leaves or
// reaches zero.
type Counters struct {
	DB    *dynamodb.Client
	Table string
}

// Subject is an item whose facts are counted, by its keys.
type Subject struct{ PK, SK string }

// subject kinds, by the item's keys.
const (
	subjectNone = iota
	subjectBooking
	subjectSlot
	subjectVolunteer
)

func kindOf(s Subject) int {
	switch {
	case strings.HasPrefix(s.PK, "SLOT#") && strings.HasPrefix(s.SK, dynamo.SKBookingPrefix):
		return subjectBooking
	case strings.HasPrefix(s.PK, "SLOT#") && s.SK == dynamo.SKSlot:
		return subjectSlot
	case strings.HasPrefix(s.PK, "VOLUNTEER#") && s.SK == dynamo.SKVolunteer:
		return subjectVolunteer
	}
	return subjectNone
}

// countedItem records the facts last applied for a subject.
type countedItem struct {
	dynamo.Keys
	Facts   string `dynamodbav:"facts"` // []report.Fact as JSON
	Version int    `dynamodbav:"v"`
}

// distinctItem is one member's total of a distinct metric in a district and period.
type distinctItem struct {
	dynamo.Keys
	N int `dynamodbav:"n"`
}

// syncGroup is how many subjects share a transaction: at most 31 items each (for a
// booking four districts deep: the record, 12 counter items and 12 member totals for its
// districts' months, years and all time, and 3 and 3 for its venue's), so that a group
// stays under DynamoDB's 100 items; counters the group's subjects share are written once.
const syncGroup = 3

// syncAttempts bounds the retries of a group whose reads another writer overtook.
const syncAttempts = 8

// Sync brings the counters up to date with the subjects' items as they are now.
// Subjects that are not counted are ignored. It is idempotent: a subject already
// counted as it is changes nothing and writes nothing.
func (c *Counters) Sync(ctx context.Context, subjects []Subject) error {
	seen := map[Subject]bool{}
	var todo []Subject
	for _, s := range subjects {
		if kindOf(s) != subjectNone && !seen[s] {
			seen[s] = true
			todo = append(todo, s)
		}
	}
	look := newLookups(c)
	for start := 0; start < len(todo); start += syncGroup {
		if err := c.syncGroup(ctx, todo[start:min(start+syncGroup, len(todo))], look); err != nil {
			return err
		}
	}
	return nil
}

func (c *Counters) syncGroup(ctx context.Context, group []Subject, look *lookups) error {
	for attempt := 1; ; attempt++ {
		err := c.syncOnce(ctx, group, look)
		var tc *dynamo.TxCanceled
		if err == nil || !errors.As(err, &tc) || attempt == syncAttempts {
			return err
		}
		// Another writer moved a record or a member's total after we read it: read again.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
}

func (c *Counters) syncOnce(ctx context.Context, group []Subject, look *lookups) error {
	now := make([][]report.Fact, len(group))
	for i, s := range group {
		f, err := c.facts(ctx, s, look)
		if err != nil {
			return err
		}
		now[i] = f
	}
	keys := dynamo.Convert(group, func(s Subject) dynamo.Item { return dynamo.Key(dynamo.CountedPK(s.PK, s.SK), dynamo.SKCounted) })
	items, err := dynamo.BatchGetAll[countedItem](ctx, c.DB, c.Table, "read counted facts", keys, true)
	if err != nil {
		return err
	}
	applied := map[string]countedItem{}
	for _, ci := range items {
		applied[ci.PK] = ci
	}

	tx := reportdb.NewCountTx()
	for i, s := range group {
		was := applied[dynamo.CountedPK(s.PK, s.SK)]
		var before []report.Fact
		if was.Facts != "" {
			if err := json.Unmarshal([]byte(was.Facts), &before); err != nil {
				return fmt.Errorf("counted facts of %s/%s: %w", s.PK, s.SK, err)
			}
		}
		diff := report.Diff(before, now[i])
		if len(diff) == 0 {
			continue
		}
		facts, err := json.Marshal(now[i])
		if err != nil {
			return fmt.Errorf("counted facts of %s/%s: %w", s.PK, s.SK, err)
		}
		cond := expression.AttributeNotExists(expression.Name("PK"))
		if was.PK != "" {
			cond = expression.Name("v").Equal(expression.Value(was.Version))
		}
		tx.Put(countedItem{Keys: dynamo.Keys{PK: dynamo.CountedPK(s.PK, s.SK), SK: dynamo.SKCounted}, Facts: string(facts), Version: was.Version + 1}, cond, nil)
		for cnt, n := range diff {
			tx.Count(cnt, n)
		}
	}
	if tx.Len() == 0 {
		return nil
	}
	if err := c.members(ctx, tx); err != nil {
		return err
	}
	return tx.Run(ctx, c.DB, c.Table, "sync counters")
}

// members reads the member totals the transaction changes and turns the changes that
// make a total leave or reach zero into moves of the distinct metric; each total is
// written under the condition that it is still what was read.
func (c *Counters) members(ctx context.Context, tx *reportdb.CountTx) error {
	if len(tx.Members()) == 0 {
		return nil
	}
	counts := report.Counts(tx.Members())
	keys := dynamo.Convert(counts, func(m report.Count) dynamo.Item {
		return dynamo.Key(dynamo.DistinctPK(m.Metric, m.Member), dynamo.DistinctSK(m.District, m.Period))
	})
	items, err := dynamo.BatchGetAll[distinctItem](ctx, c.DB, c.Table, "read member totals", keys, true)
	if err != nil {
		return err
	}
	was := map[[2]string]distinctItem{}
	for _, d := range items {
		was[[2]string{d.PK, d.SK}] = d
	}
	for _, m := range counts {
		pk, sk := dynamo.DistinctPK(m.Metric, m.Member), dynamo.DistinctSK(m.District, m.Period)
		old, exists := was[[2]string{pk, sk}]
		n := old.N + tx.Members()[m]
		switch {
		case old.N <= 0 && n > 0:
			tx.Metric(m.District, m.Period, m.Metric, 1)
		case old.N > 0 && n <= 0:
			tx.Metric(m.District, m.Period, m.Metric, -1)
		}
		cond := expression.AttributeNotExists(expression.Name("PK"))
		if exists {
			cond = expression.Name("n").Equal(expression.Value(old.N))
		}
		tx.Put(distinctItem{Keys: dynamo.Keys{PK: pk, SK: sk}, N: n}, cond, nil)
	}
	return nil
}

// servedAttr is a volunteer's minutes of a month (Served202611).
var servedAttr = regexp.MustCompile(`^Served(\d{4})(\d{2})$`)

// facts reads a subject as it is now and returns its facts (none when it is gone).
func (c *Counters) facts(ctx context.Context, s Subject, look *lookups) ([]report.Fact, error) {
	it, err := dynamo.GetItem(ctx, c.DB, c.Table, "read counted item", s.PK, s.SK, true)
	if err != nil || it == nil {
		return nil, err
	}
	return itemFacts(ctx, s, it, look)
}

// itemFacts returns the facts of a subject's item.
func itemFacts(ctx context.Context, s Subject, it dynamo.Item, look *lookups) ([]report.Fact, error) {
	switch kindOf(s) {
	case subjectBooking:
		b, err := bookingdb.DecodeBooking(it)
		if err != nil {
			return nil, fmt.Errorf("count booking %s: %w", s.PK, err)
		}
		if !report.Counted(b) {
			return nil, nil
		}
		p, err := look.place(ctx, b.ActivityID)
		if err != nil || p == nil {
			return nil, err
		}
		return report.BookingFacts(b, *p), nil
	case subjectSlot:
		sl, err := bookingdb.DecodeSlot(it)
		if err != nil {
			return nil, fmt.Errorf("count slot %s: %w", s.PK, err)
		}
		p, err := look.place(ctx, sl.ActivityID)
		if err != nil || p == nil {
			return nil, err
		}
		return report.SlotFacts(sl, *p), nil
	case subjectVolunteer:
		v, err := volunteerdb.DecodeVolunteer(it)
		if err != nil {
			return nil, fmt.Errorf("count volunteer %s: %w", s.PK, err)
		}
		var served []string
		for name, av := range it {
			m := servedAttr.FindStringSubmatch(name)
			if n, ok := av.(*types.AttributeValueMemberN); ok && m != nil {
				if minutes, _ := strconv.Atoi(n.Value); minutes > 0 {
					served = append(served, m[1]+"-"+m[2])
				}
			}
		}
		return report.VolunteerFacts(v, served), nil
	}
	return nil, nil
}

// lookups reads and remembers the places of activities for one Sync or recount.
type lookups struct {
	c          *Counters
	activities map[string]*report.Place       // by activity id; nil when unknown
	districts  map[string]*directory.District // by district id; nil when unknown
}

func newLookups(c *Counters) *lookups {
	return &lookups{c: c, activities: map[string]*report.Place{}, districts: map[string]*directory.District{}}
}

// place returns where an activity is held: its district (its own, else its venue's) and
// its venue; nil when it is in no district.
func (l *lookups) place(ctx context.Context, id string) (*report.Place, error) {
	if p, ok := l.activities[id]; ok {
		return p, nil
	}
	a, ok, err := (&bookingdb.Catalog{DB: l.c.DB, Table: l.c.Table}).Activity(ctx, id)
	if err != nil {
		return nil, err
	}
	districtID := a.DistrictID
	if ok && districtID == "" {
		dir := &directorydb.Directory{DB: l.c.DB, Table: l.c.Table}
		if _, districtID, _, err = dir.VenueOf(ctx, a.VenueID); err != nil {
			return nil, err
		}
	}
	d, err := l.district(ctx, districtID)
	if err != nil {
		return nil, err
	}
	var p *report.Place
	if d != nil {
		p = &report.Place{District: *d, VenueID: a.VenueID}
	}
	l.activities[id] = p
	return p, nil
}

func (l *lookups) district(ctx context.Context, id string) (*directory.District, error) {
	if id == "" {
		return nil, nil
	}
	if d, ok := l.districts[id]; ok {
		return d, nil
	}
	d, err := (&directorydb.Directory{DB: l.c.DB, Table: l.c.Table}).District(ctx, id)
	if errors.Is(err, directory.ErrDistrictUnknown) {
		l.districts[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	l.districts[id] = &d
	return &d, nil
}

// Recount is what the counters hold beside what the items say they should hold.
type Recount struct {
	// Want and Have are the counters (Member empty) and the members' totals of distinct
	// metrics, recomputed from the items and as stored.
	Want, Have map[report.Count]int
	// Subjects are the counted items found.
	Subjects []Subject
}

// Drift returns the counts where Have differs from Want, sorted; with period set, only
// that period's.
func (r Recount) Drift(period string) []report.Count {
	all := map[report.Count]int{}
	for c, n := range r.Want {
		all[c] = n
	}
	for c := range r.Have {
		all[c] = r.Want[c]
	}
	var out []report.Count
	for _, c := range report.Counts(all) {
		if r.Want[c] != r.Have[c] && (period == "" || c.Period == period) {
			out = append(out, c)
		}
	}
	return out
}

// Recount reads the whole table (a consistent, paginated Scan: for the reconciliation
// command, never a request) and recomputes every counter from the items: the facts of
// every booking, slot and volunteer, and a failed notification for every message that
// stands failed. It writes nothing.
func (c *Counters) Recount(ctx context.Context) (Recount, error) {
	r := Recount{Want: map[report.Count]int{}, Have: map[report.Count]int{}}
	root, err := (&directorydb.Directory{DB: c.DB, Table: c.Table}).RootPath(ctx)
	if err != nil {
		return r, err
	}
	look := newLookups(c)
	members := map[report.Count]int{}
	p := dynamodb.NewScanPaginator(c.DB, &dynamodb.ScanInput{TableName: aws.String(c.Table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return r, dynamo.FormatError("recount", err)
		}
		for _, it := range page.Items {
			pk, _ := dynamo.StringAttr(it, "PK")
			sk, _ := dynamo.StringAttr(it, "SK")
			var facts []report.Fact
			switch s := (Subject{pk, sk}); {
			case kindOf(s) != subjectNone:
				r.Subjects = append(r.Subjects, s)
				if facts, err = itemFacts(ctx, s, it, look); err != nil {
					return r, err
				}
			case strings.HasPrefix(pk, dynamo.OutboxPrefix) && sk == dynamo.SKOutbox:
				if at, ok := reportdb.FailedAt(it); ok && root != "" {
					facts = report.FailedFacts(root, at)
				}
			case strings.HasPrefix(pk, "METRIC#"):
				for name, av := range it {
					if n, ok := av.(*types.AttributeValueMemberN); ok {
						v, _ := strconv.Atoi(n.Value)
						r.Have[report.Count{Metric: name, District: strings.TrimPrefix(pk, "METRIC#"), Period: sk}] = v
					}
				}
			case strings.HasPrefix(pk, "DISTINCT#"):
				var d distinctItem
				if err := attributevalue.UnmarshalMap(it, &d); err != nil {
					return r, fmt.Errorf("recount: %w", err)
				}
				metric, member, _ := strings.Cut(strings.TrimPrefix(pk, "DISTINCT#"), "#")
				district, period, _ := strings.Cut(sk, "#")
				r.Have[report.Count{Metric: metric, District: district, Period: period, Member: member}] = d.N
			}
			for cnt, n := range report.Expand(facts) {
				if cnt.Member != "" {
					members[cnt] += n
				} else {
					r.Want[cnt] += n
				}
			}
		}
	}
	for m, n := range members {
		if n != 0 {
			r.Want[m] = n
		}
		if n > 0 {
			r.Want[report.Count{Metric: m.Metric, District: m.District, Period: m.Period}]++
		}
	}
	for cnt, n := range r.Have {
		if n == 0 && r.Want[cnt] == 0 {
			delete(r.Have, cnt) // a counter back at zero is no drift
		}
	}
	return r, nil
}

// Repair makes the counters what the items say: it syncs every counted item (which
// puts right the items whose changes were never counted), recounts, and sets what
// still differs — counters written by something else — with ADDs of the difference
// (so that changes counted meanwhile are kept) and members' totals outright. Run it
// when the platform is quiet. It returns the counts it set.
func (c *Counters) Repair(ctx context.Context) ([]report.Count, error) {
	r, err := c.Recount(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Sync(ctx, r.Subjects); err != nil {
		return nil, err
	}
	if r, err = c.Recount(ctx); err != nil {
		return nil, err
	}
	drift := r.Drift("")
	tx := reportdb.NewCountTx()
	flush := func() error {
		err := tx.Run(ctx, c.DB, c.Table, "repair counters")
		tx = reportdb.NewCountTx()
		return err
	}
	for _, d := range drift {
		if d.Member != "" {
			pk, sk := dynamo.DistinctPK(d.Metric, d.Member), dynamo.DistinctSK(d.District, d.Period)
			tx.Put(distinctItem{Keys: dynamo.Keys{PK: pk, SK: sk}, N: r.Want[d]}, expression.ConditionBuilder{}, nil)
		} else {
			tx.Metric(d.District, d.Period, d.Metric, r.Want[d]-r.Have[d])
		}
		if tx.Len()+tx.Metrics() >= 90 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return drift, flush()
}
